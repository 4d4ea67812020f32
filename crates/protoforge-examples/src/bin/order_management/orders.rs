//! The orders service, the one callers talk to. Placing an order calls the
//! other two services (a client of each), passing on the caller's request
//! id and the time left before the caller's deadline, and translates their
//! errors into statuses that make sense to someone placing an order:
//!
//! | downstream answer | `PlaceOrder` answers |
//! |---|---|
//! | customers: NOT_FOUND | NOT_FOUND (no such customer) |
//! | customer suspended | PERMISSION_DENIED |
//! | inventory: NOT_FOUND (unknown SKU) | INVALID_ARGUMENT (the order names it) |
//! | inventory: FAILED_PRECONDITION, RESOURCE_EXHAUSTED | FAILED_PRECONDITION |
//! | total over the credit limit | FAILED_PRECONDITION (the stock is released) |
//! | UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED | the same: retryable or the caller's own deadline |
//! | anything else | INTERNAL, without the downstream's text |

use std::collections::BTreeMap;
use std::sync::Mutex;

use protoforge::wkt::Timestamp;
use protoforge_examples::shop::customers::v1::customer::Standing;
use protoforge_examples::shop::customers::v1::{CustomersClient, GetCustomerRequest};
use protoforge_examples::shop::orders::v1::{GetOrderRequest, Order, Orders, PlaceOrderRequest};
use protoforge_examples::store::inventory::v1::{
    InventoryClient, ReleaseStockRequest, ReserveStockRequest,
};
use protoforge_grpc::{CallHead, Code, Request, Response, Status};

use crate::trace::{Log, REQUEST_ID, downstream, request_id, time_left};

pub(crate) struct Desk {
    customers: CustomersClient,
    inventory: InventoryClient,
    orders: Mutex<(u64, BTreeMap<String, Order>)>,
    log: Log,
}

impl Desk {
    pub(crate) fn new(customers: CustomersClient, inventory: InventoryClient, log: Log) -> Desk {
        Desk {
            customers,
            inventory,
            orders: Mutex::new((0, BTreeMap::new())),
            log,
        }
    }
}

/// The server interceptor: every call gets a request id, the caller's or
/// a new one, before any handler runs.
pub(crate) fn assign_request_ids() -> impl protoforge_grpc::Interceptor {
    let next = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(1));
    move |mut head: CallHead| {
        let next = next.clone();
        async move {
            if head.metadata().get(REQUEST_ID).is_none_or(str::is_empty) {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                head.metadata_mut()
                    .insert(REQUEST_ID, &format!("orders-{n}"))
                    .map_err(|e| Status::internal(e.to_string()))?;
            }
            Ok(head)
        }
    }
}

/// A downstream failure as `PlaceOrder` reports it.
fn translate(service: &str, status: Status, not_found: impl FnOnce(&Status) -> Status) -> Status {
    match status.code() {
        Code::NotFound => not_found(&status),
        Code::FailedPrecondition | Code::ResourceExhausted => {
            Status::failed_precondition(status.message().to_string())
        }
        Code::Unavailable => {
            Status::unavailable(format!("the {service} service is unavailable; retry later"))
        }
        Code::DeadlineExceeded => Status::deadline_exceeded(format!(
            "the deadline passed while waiting for the {service} service"
        )),
        Code::Cancelled => Status::cancelled("the call was cancelled"),
        _ => Status::internal(format!("the {service} service failed")),
    }
}

impl Orders for Desk {
    async fn place_order(
        &self,
        request: Request<PlaceOrderRequest>,
    ) -> Result<Response<Order>, Status> {
        let rid = request_id(request.metadata());
        let deadline = request.context().deadline();
        let request = request.into_inner();
        self.log.record(
            &rid,
            "orders",
            format!(
                "PlaceOrder for {} ({})",
                request.customer_id,
                time_left(deadline)
            ),
        );
        if request.lines.is_empty() {
            return Err(Status::invalid_argument("an order needs at least one line"));
        }
        if let Some(line) = request.lines.iter().find(|l| l.quantity < 1) {
            return Err(Status::invalid_argument(format!(
                "the quantity of {} must be at least 1",
                line.sku
            )));
        }

        let lookup = GetCustomerRequest {
            customer_id: request.customer_id.clone(),
            ..Default::default()
        };
        let customer = self
            .customers
            .get_customer(lookup, downstream(&rid, deadline)?)
            .await
            .map_err(|s| {
                translate("customers", s, |_| {
                    Status::not_found(format!("customer {} does not exist", request.customer_id))
                })
            })?
            .into_inner();
        if customer.standing == Standing::Suspended {
            return Err(Status::permission_denied(format!(
                "customer {} is suspended",
                customer.customer_id
            )));
        }

        let order_id = {
            let mut orders = self
                .orders
                .lock()
                .map_err(|_| Status::internal("orders poisoned"))?;
            orders.0 += 1;
            format!("o-{:04}", orders.0)
        };
        let reserve = ReserveStockRequest {
            order_id: order_id.clone(),
            lines: request.lines.clone(),
            ..Default::default()
        };
        let reservation = self
            .inventory
            .reserve_stock(reserve, downstream(&rid, deadline)?)
            .await
            .map_err(|s| {
                translate("inventory", s, |s| {
                    Status::invalid_argument(s.message().to_string())
                })
            })?
            .into_inner();

        if reservation.total_cents > customer.credit_limit_cents {
            // Give the stock back before refusing.
            let release = ReleaseStockRequest {
                reservation_id: reservation.reservation_id.clone(),
                ..Default::default()
            };
            self.inventory
                .release_stock(release, downstream(&rid, deadline)?)
                .await
                .map_err(|s| {
                    translate("inventory", s, |_| {
                        Status::internal("the reservation vanished")
                    })
                })?;
            return Err(Status::failed_precondition(format!(
                "the total of {} is over the credit limit of {} for {}; the stock was released",
                money(reservation.total_cents),
                money(customer.credit_limit_cents),
                customer.customer_id
            )));
        }

        let order = Order {
            order_id: order_id.clone(),
            customer_id: customer.customer_id,
            reservation: Some(reservation),
            placed_at: Timestamp::try_from(std::time::SystemTime::now()).ok(),
            request_id: rid.clone(),
            ..Default::default()
        };
        self.orders
            .lock()
            .map_err(|_| Status::internal("orders poisoned"))?
            .1
            .insert(order_id.clone(), order.clone());
        self.log
            .record(&rid, "orders", format!("-> placed {order_id}"));
        let mut response = Response::new(order);
        response
            .metadata_mut()
            .insert(REQUEST_ID, &rid)
            .map_err(|e| Status::internal(e.to_string()))?;
        Ok(response)
    }

    async fn get_order(
        &self,
        request: Request<GetOrderRequest>,
    ) -> Result<Response<Order>, Status> {
        let id = &request.get_ref().order_id;
        let orders = self
            .orders
            .lock()
            .map_err(|_| Status::internal("orders poisoned"))?;
        match orders.1.get(id) {
            Some(order) => Ok(Response::new(order.clone())),
            None => Err(Status::not_found(format!("no order {id}"))),
        }
    }
}

/// Cents as `12.34`.
pub(crate) fn money(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}
