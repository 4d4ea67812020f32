//! Order management: three services in the shape of a small microservice
//! system, each its own gRPC server on loopback.
//!
//! - `shop.customers.v1.Customers` (`customers.rs`): who may order;
//! - `store.inventory.v1.Inventory` (`inventory.rs`): stock, reservations,
//!   a stream of stock changes;
//! - `shop.orders.v1.Orders` (`orders.rs`): places orders by calling the
//!   other two, passing on the caller's deadline and request id
//!   (`trace.rs`), and mapping their errors to statuses for its callers.
//!
//! The demo places a batch of orders, most of which fail in a different
//! way (unknown customer, suspended customer, short stock, unknown SKU, no
//! lines, discontinued item, credit limit, a deadline that runs out in a
//! slow downstream call, a downstream service that is down), prints each
//! order's path through the services and a summary, and exits 0 when
//! every order ended with the status it should.
//!
//! ```text
//! cargo run -p protoforge-examples --bin order-management
//! ```

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod customers;
mod inventory;
mod orders;
mod trace;

use std::collections::BTreeMap;
use std::error::Error;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use protoforge_examples::Running;
use protoforge_examples::shop::customers::v1::CustomersServer;
use protoforge_examples::shop::orders::v1::{
    GetOrderRequest, OrdersClient, OrdersServer, PlaceOrderRequest,
};
use protoforge_examples::store::inventory::v1::{
    InventoryClient, InventoryServer, Item, ListItemsRequest, StockLine,
};
use protoforge_grpc::{CallOptions, Cancellation, Code, Server, Streaming};

use crate::orders::money;
use crate::trace::{Log, REQUEST_ID};

/// How long a caller waits for an order unless a case says otherwise.
const BUDGET: Duration = Duration::from_secs(2);

/// What happens to the system before an order is placed.
#[derive(Clone, Copy)]
enum Setup {
    Normal,
    /// The inventory takes this long per reservation.
    InventoryUnderLoad(Duration),
    /// The customers service is shut down.
    CustomersDown,
}

struct Case {
    /// The caller's request id; `None` lets the orders service assign one.
    request_id: Option<&'static str>,
    customer: &'static str,
    lines: &'static [(&'static str, i32)],
    budget: Duration,
    setup: Setup,
    expect: Code,
}

const fn case(
    request_id: &'static str,
    customer: &'static str,
    lines: &'static [(&'static str, i32)],
    expect: Code,
) -> Case {
    Case {
        request_id: Some(request_id),
        customer,
        lines,
        budget: BUDGET,
        setup: Setup::Normal,
        expect,
    }
}

/// The batch, in order. Stock at the start: KB-01 8, MS-02 10, MN-27 4,
/// CB-05 50, TP-00 2 (discontinued).
fn batch() -> Vec<Case> {
    vec![
        case("req-01", "c-1", &[("KB-01", 2), ("MS-02", 1)], Code::Ok),
        case("req-02", "c-2", &[("MN-27", 1), ("CB-05", 3)], Code::Ok),
        case("req-03", "c-404", &[("KB-01", 1)], Code::NotFound),
        case("req-04", "c-3", &[("MS-02", 1)], Code::PermissionDenied),
        case("req-05", "c-2", &[("MN-27", 10)], Code::FailedPrecondition),
        case("req-06", "c-1", &[("XX-99", 1)], Code::InvalidArgument),
        case("req-07", "c-1", &[], Code::InvalidArgument),
        case("req-08", "c-2", &[("TP-00", 1)], Code::FailedPrecondition),
        case("req-09", "c-4", &[("MN-27", 1)], Code::FailedPrecondition),
        Case {
            budget: Duration::from_millis(300),
            setup: Setup::InventoryUnderLoad(Duration::from_secs(1)),
            ..case("req-10", "c-1", &[("CB-05", 1)], Code::DeadlineExceeded)
        },
        Case {
            request_id: None,
            ..case("", "c-2", &[("KB-01", 1), ("CB-05", 2)], Code::Ok)
        },
        Case {
            setup: Setup::CustomersDown,
            ..case("req-12", "c-1", &[("MS-02", 1)], Code::Unavailable)
        },
    ]
}

fn describe(lines: &[(&str, i32)]) -> String {
    if lines.is_empty() {
        return "(no lines)".to_string();
    }
    lines
        .iter()
        .map(|(sku, n)| format!("{n} x {sku}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Counts the stock changes in `changes` (an open `WatchItems` call) until
/// the call is cancelled.
async fn watch(
    mut changes: Streaming<Item>,
    seen: Arc<AtomicUsize>,
    skus: Arc<Mutex<BTreeMap<String, usize>>>,
) -> Result<(), protoforge_grpc::Status> {
    loop {
        match changes.message().await {
            Ok(Some(item)) => {
                if let Ok(mut skus) = skus.lock() {
                    *skus.entry(item.sku).or_default() += 1;
                }
                seen.fetch_add(1, Ordering::SeqCst);
            }
            Ok(None) => return Ok(()),
            Err(status) if status.code() == Code::Cancelled => return Ok(()),
            Err(status) => return Err(status),
        }
    }
}

async fn demo() -> Result<bool, Box<dyn Error + Send + Sync>> {
    let log = Log::default();
    let load = Arc::new(Mutex::new(Duration::ZERO));

    let customers = Running::start(
        Server::builder().add_service(CustomersServer::new(customers::Directory::new(log.clone()))),
    )
    .await?;
    let inventory = Running::start(Server::builder().add_service(InventoryServer::new(
        inventory::Warehouse::new(log.clone(), load.clone()),
    )))
    .await?;
    let desk = orders::Desk::new(
        protoforge_examples::shop::customers::v1::CustomersClient::new(customers.channel()?),
        InventoryClient::new(inventory.channel()?),
        log.clone(),
    );
    let orders_server = Running::start(
        Server::builder()
            .interceptor(orders::assign_request_ids())
            .add_service(OrdersServer::new(desk)),
    )
    .await?;
    println!(
        "order management on loopback: customers {}, inventory {}, orders {}\n",
        customers.addr(),
        inventory.addr(),
        orders_server.addr()
    );

    // A watcher of stock changes, subscribed before the first order.
    let stop_watching = Cancellation::new();
    let seen = Arc::new(AtomicUsize::new(0));
    let skus = Arc::new(Mutex::new(BTreeMap::new()));
    // The call returns once the inventory has sent its headers, which it
    // does after subscribing, so no change of the first order is missed.
    let changes = InventoryClient::new(inventory.channel()?)
        .watch_items(
            ListItemsRequest::default(),
            CallOptions::new().cancellation(stop_watching.clone()),
        )
        .await?
        .into_inner();
    let watcher = tokio::spawn(watch(changes, seen.clone(), skus.clone()));

    let client = OrdersClient::new(orders_server.channel()?);
    let mut customers = Some(customers);
    let mut outcomes: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut unexpected = Vec::new();
    let mut placed = Vec::new();
    for case in batch() {
        match case.setup {
            Setup::Normal => {}
            Setup::InventoryUnderLoad(delay) => {
                if let Ok(mut load) = load.lock() {
                    *load = delay;
                }
            }
            Setup::CustomersDown => {
                if let Some(running) = customers.take() {
                    running.stop().await?;
                }
            }
        }
        let request = PlaceOrderRequest {
            customer_id: case.customer.to_string(),
            lines: case
                .lines
                .iter()
                .map(|&(sku, quantity)| StockLine {
                    sku: sku.to_string(),
                    quantity,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
        let mut options = CallOptions::new().timeout(case.budget);
        if let Some(id) = case.request_id {
            options.metadata_mut().insert(REQUEST_ID, id)?;
        }
        let started = Instant::now();
        let result = client.place_order(request, options).await;
        let took = started.elapsed().as_millis();
        if let Ok(mut load) = load.lock() {
            *load = Duration::ZERO;
        }

        let (code, request_id, outcome) = match &result {
            Ok(response) => {
                let order = response.get_ref();
                let reservation = order.reservation.clone().unwrap_or_default();
                let rid = response
                    .metadata()
                    .get(REQUEST_ID)
                    .unwrap_or("?")
                    .to_string();
                placed.push(order.order_id.clone());
                (
                    Code::Ok,
                    rid,
                    format!(
                        "order {}, {} held by {}",
                        order.order_id,
                        money(reservation.total_cents),
                        reservation.reservation_id
                    ),
                )
            }
            Err(status) => (
                status.code(),
                case.request_id.unwrap_or("?").to_string(),
                status.message().to_string(),
            ),
        };
        let who = match case.request_id {
            Some(_) => request_id.clone(),
            None => format!("{request_id} (assigned by the orders service)"),
        };
        println!(
            "{who}: {} orders {} (budget {} ms)",
            case.customer,
            describe(case.lines),
            case.budget.as_millis()
        );
        match case.setup {
            Setup::Normal => {}
            Setup::InventoryUnderLoad(delay) => {
                println!(
                    "  [inventory under load: {} ms per reservation]",
                    delay.as_millis()
                );
            }
            Setup::CustomersDown => println!("  [customers service shut down]"),
        }
        for (service, text) in log.for_request(&request_id) {
            println!("  {service:<10} {text}");
        }
        println!("  => {} in {took} ms: {outcome}\n", code.name());
        *outcomes.entry(code.name()).or_default() += 1;
        if code != case.expect {
            unexpected.push(format!(
                "{request_id}: expected {}, got {} ({outcome})",
                case.expect.name(),
                code.name()
            ));
        }
    }

    // The orders are on record.
    for id in &placed {
        let order = client
            .get_order(
                GetOrderRequest {
                    order_id: id.clone(),
                    ..Default::default()
                },
                CallOptions::new().timeout(BUDGET),
            )
            .await?
            .into_inner();
        println!(
            "GetOrder {id}: customer {}, request {}, {}",
            order.customer_id,
            order.request_id,
            describe(
                &order
                    .reservation
                    .iter()
                    .flat_map(|r| r.lines.iter().map(|l| (l.sku.as_str(), l.quantity)))
                    .collect::<Vec<_>>()
            )
        );
    }

    // Stock left, by paging through ListItems two at a time.
    let stock_client = InventoryClient::new(inventory.channel()?);
    let mut page_token = String::new();
    let mut left = Vec::new();
    loop {
        let page = stock_client
            .list_items(
                ListItemsRequest {
                    page_size: 2,
                    page_token: page_token.clone(),
                    ..Default::default()
                },
                CallOptions::new().timeout(BUDGET),
            )
            .await?
            .into_inner();
        for item in &page.items {
            left.push(format!("{} {}", item.sku, item.stock.values().sum::<i32>()));
        }
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }
    println!("stock left: {}", left.join(", "));

    // Let the watcher catch up (no change for 300 ms), then cancel it.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut last = usize::MAX;
    while seen.load(Ordering::SeqCst) != last && Instant::now() < deadline {
        last = seen.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    stop_watching.cancel();
    watcher.await??;
    let by_sku = skus
        .lock()
        .map(|skus| {
            skus.iter()
                .map(|(sku, n)| format!("{sku} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    println!(
        "WatchItems saw {} stock changes ({by_sku})\n",
        seen.load(Ordering::SeqCst)
    );

    orders_server.stop().await?;
    inventory.stop().await?;
    if let Some(customers) = customers {
        customers.stop().await?;
    }

    let total: usize = outcomes.values().sum();
    let counts: Vec<String> = outcomes
        .iter()
        .map(|(code, n)| format!("{code} {n}"))
        .collect();
    println!(
        "summary: {total} orders, {} placed, {} refused ({})",
        placed.len(),
        total - placed.len(),
        counts.join(", ")
    );
    if unexpected.is_empty() {
        println!("every order ended with the status it should");
        Ok(true)
    } else {
        for line in &unexpected {
            println!("UNEXPECTED {line}");
        }
        Ok(false)
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match demo().await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("order-management: {e}");
            ExitCode::FAILURE
        }
    }
}
