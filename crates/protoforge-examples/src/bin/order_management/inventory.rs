//! The inventory service: items with stock in several warehouses, stock
//! reservations for orders (all lines or none), and a stream of item
//! changes. `ReserveStock` answers NOT_FOUND for an unknown SKU,
//! FAILED_PRECONDITION for a discontinued item and RESOURCE_EXHAUSTED when
//! the stock is short; the orders service translates these for its own
//! callers.
//!
//! `load` simulates a busy warehouse system: each reservation first waits
//! that long. A reservation whose caller's deadline passes during the wait
//! is abandoned by the transport (the handler is dropped), so no stock is
//! held for an order nobody is waiting for.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use protoforge::wkt::Timestamp;
use protoforge_examples::store::inventory::v1::item::Discount;
use protoforge_examples::store::inventory::v1::{
    Availability, GetItemRequest, Inventory, Item, ListItemsRequest, ListItemsResponse,
    ReleaseStockRequest, Reservation, ReserveStockRequest, StockLine,
};
use protoforge_grpc::{Request, Response, ResponseSink, Status};
use tokio::sync::broadcast;

use crate::trace::{Log, request_id, time_left};

/// Changes a slow watcher may fall behind by before it is dropped.
const WATCH_BUFFER: usize = 256;
/// Items per `ListItems` page when the request does not say.
const DEFAULT_PAGE_SIZE: usize = 50;

#[derive(Default)]
struct Stock {
    items: BTreeMap<String, Item>,
    /// What each reservation took: (sku, warehouse, quantity).
    taken: BTreeMap<String, Vec<(String, String, i32)>>,
    next_reservation: u64,
}

pub(crate) struct Warehouse {
    stock: Mutex<Stock>,
    changes: broadcast::Sender<Item>,
    load: Arc<Mutex<Duration>>,
    log: Log,
}

fn item(
    sku: &str,
    title: &str,
    price_cents: i64,
    stock: &[(&str, i32)],
    discount: Option<Discount>,
    availability: Availability,
) -> Item {
    Item {
        sku: sku.to_string(),
        title: title.to_string(),
        availability: availability.into(),
        price_cents,
        stock: stock.iter().map(|(w, n)| (w.to_string(), *n)).collect(),
        updated_at: Timestamp::try_from(std::time::SystemTime::now()).ok(),
        discount,
        ..Default::default()
    }
}

fn on_hand(item: &Item) -> i32 {
    item.stock.values().sum()
}

/// The price of one unit, discount applied.
fn unit_price(item: &Item) -> i64 {
    match &item.discount {
        Some(Discount::PercentOff(p)) => (item.price_cents * i64::from(100 - p) + 50) / 100,
        Some(Discount::CentsOff(off)) => (item.price_cents - off).max(0),
        None => item.price_cents,
    }
}

impl Warehouse {
    /// The demo's stock; `load` is the delay before each reservation.
    pub(crate) fn new(log: Log, load: Arc<Mutex<Duration>>) -> Warehouse {
        use Availability::{Discontinued, InStock};
        let items = [
            item(
                "KB-01",
                "Mechanical keyboard",
                8_999,
                &[("ams", 5), ("ber", 3)],
                None,
                InStock,
            ),
            item(
                "MS-02",
                "Wireless mouse",
                2_999,
                &[("ams", 10)],
                Some(Discount::PercentOff(10)),
                InStock,
            ),
            item(
                "MN-27",
                "27-inch monitor",
                32_900,
                &[("ber", 4)],
                None,
                InStock,
            ),
            item(
                "CB-05",
                "USB-C cable",
                999,
                &[("ams", 30), ("ber", 20)],
                Some(Discount::CentsOff(200)),
                InStock,
            ),
            item(
                "TP-00",
                "Trackpad",
                5_900,
                &[("ams", 2)],
                None,
                Discontinued,
            ),
        ];
        let (changes, _) = broadcast::channel(WATCH_BUFFER);
        Warehouse {
            stock: Mutex::new(Stock {
                items: items.into_iter().map(|i| (i.sku.clone(), i)).collect(),
                ..Default::default()
            }),
            changes,
            load,
            log,
        }
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Stock>, Status> {
        self.stock
            .lock()
            .map_err(|_| Status::internal("stock poisoned"))
    }

    /// Records a change to `sku` and tells the watchers.
    fn changed(&self, stock: &mut Stock, sku: &str) {
        if let Some(item) = stock.items.get_mut(sku) {
            if item.availability != Availability::Discontinued {
                let state = if on_hand(item) > 0 {
                    Availability::InStock
                } else {
                    Availability::Backordered
                };
                item.availability = state.into();
            }
            item.updated_at = Timestamp::try_from(std::time::SystemTime::now()).ok();
            let _ = self.changes.send(item.clone());
        }
    }
}

fn wanted_availability(request: &ListItemsRequest) -> Option<Availability> {
    request.availability.and_then(|a| a.get())
}

impl Inventory for Warehouse {
    async fn get_item(&self, request: Request<GetItemRequest>) -> Result<Response<Item>, Status> {
        let sku = &request.get_ref().sku;
        let stock = self.lock()?;
        match stock.items.get(sku) {
            Some(item) => Ok(Response::new(item.clone())),
            None => Err(Status::not_found(format!("no item {sku}"))),
        }
    }

    async fn list_items(
        &self,
        request: Request<ListItemsRequest>,
    ) -> Result<Response<ListItemsResponse>, Status> {
        let request = request.get_ref();
        let page_size = match usize::try_from(request.page_size) {
            Ok(0) => DEFAULT_PAGE_SIZE,
            Ok(n) => n,
            Err(_) => return Err(Status::invalid_argument("page_size must not be negative")),
        };
        let wanted = wanted_availability(request);
        let stock = self.lock()?;
        let mut matching = stock
            .items
            .values()
            .filter(|i| i.sku.as_str() > request.page_token.as_str())
            .filter(|i| wanted.is_none_or(|w| i.availability == w));
        let items: Vec<Item> = matching.by_ref().take(page_size).cloned().collect();
        let next_page_token = match (matching.next(), items.last()) {
            (Some(_), Some(last)) => last.sku.clone(),
            _ => String::new(),
        };
        Ok(Response::new(ListItemsResponse {
            items,
            next_page_token,
            ..Default::default()
        }))
    }

    async fn watch_items(
        &self,
        request: Request<ListItemsRequest>,
        mut responses: ResponseSink<Item>,
    ) -> Result<(), Status> {
        let wanted = wanted_availability(request.get_ref());
        let mut changes = self.changes.subscribe();
        // Headers now, so the watcher knows it is subscribed.
        responses.send_headers()?;
        // Until the watcher cancels (the transport then drops this future)
        // or the server shuts down.
        loop {
            match changes.recv().await {
                Ok(item) if wanted.is_none_or(|w| item.availability == w) => {
                    responses.send(item).await?;
                }
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    return Err(Status::resource_exhausted(format!(
                        "the watcher missed {n} changes"
                    )));
                }
                Err(broadcast::error::RecvError::Closed) => return Ok(()),
            }
        }
    }

    async fn reserve_stock(
        &self,
        request: Request<ReserveStockRequest>,
    ) -> Result<Response<Reservation>, Status> {
        let rid = request_id(request.metadata());
        let left = time_left(request.context().deadline());
        let request = request.into_inner();
        let load = self.load.lock().map(|d| *d).unwrap_or_default();
        let mut note = format!("ReserveStock for {} ({left})", request.order_id);
        if !load.is_zero() {
            note.push_str(&format!(
                ", under load: {} ms per reservation",
                load.as_millis()
            ));
        }
        self.log.record(&rid, "inventory", note);
        if !load.is_zero() {
            tokio::time::sleep(load).await;
        }

        // Quantities per SKU, in SKU order.
        let mut wanted: BTreeMap<&str, i32> = BTreeMap::new();
        for line in &request.lines {
            if line.quantity < 1 {
                return Err(Status::invalid_argument(format!(
                    "quantity of {} must be at least 1",
                    line.sku
                )));
            }
            *wanted.entry(&line.sku).or_default() += line.quantity;
        }
        let mut stock = self.lock()?;
        let mut total_cents = 0;
        for (&sku, &quantity) in &wanted {
            let Some(item) = stock.items.get(sku) else {
                self.log
                    .record(&rid, "inventory", format!("-> NOT_FOUND: no item {sku}"));
                return Err(Status::not_found(format!("no item {sku}")));
            };
            if item.availability == Availability::Discontinued {
                self.log.record(
                    &rid,
                    "inventory",
                    format!("-> FAILED_PRECONDITION: {sku} is discontinued"),
                );
                return Err(Status::failed_precondition(format!(
                    "{sku} is discontinued"
                )));
            }
            let available = on_hand(item);
            if available < quantity {
                self.log.record(
                    &rid,
                    "inventory",
                    format!(
                        "-> RESOURCE_EXHAUSTED: {quantity} x {sku} wanted, {available} in stock"
                    ),
                );
                return Err(Status::resource_exhausted(format!(
                    "{quantity} x {sku} wanted, {available} in stock"
                )));
            }
            total_cents += unit_price(item) * i64::from(quantity);
        }

        // Everything is there: take it, warehouse by warehouse.
        stock.next_reservation += 1;
        let reservation_id = format!("r-{:04}", stock.next_reservation);
        let mut taken = Vec::new();
        for (&sku, &quantity) in &wanted {
            let mut still = quantity;
            if let Some(item) = stock.items.get_mut(sku) {
                let mut warehouses: Vec<(&String, &mut i32)> = item.stock.iter_mut().collect();
                warehouses.sort_by(|a, b| a.0.cmp(b.0));
                for (warehouse, on_shelf) in warehouses {
                    let take = still.min(*on_shelf);
                    if take > 0 {
                        *on_shelf -= take;
                        still -= take;
                        taken.push((sku.to_string(), warehouse.clone(), take));
                    }
                }
            }
        }
        stock.taken.insert(reservation_id.clone(), taken);
        for &sku in wanted.keys() {
            self.changed(&mut stock, sku);
        }
        self.log.record(
            &rid,
            "inventory",
            format!("-> {reservation_id}, {} cents", total_cents),
        );
        Ok(Response::new(Reservation {
            reservation_id,
            order_id: request.order_id,
            lines: wanted
                .iter()
                .map(|(&sku, &quantity)| StockLine {
                    sku: sku.to_string(),
                    quantity,
                    ..Default::default()
                })
                .collect(),
            total_cents,
            ..Default::default()
        }))
    }

    async fn release_stock(
        &self,
        request: Request<ReleaseStockRequest>,
    ) -> Result<Response<protoforge::wkt::Empty>, Status> {
        let rid = request_id(request.metadata());
        let id = &request.get_ref().reservation_id;
        let mut stock = self.lock()?;
        let Some(taken) = stock.taken.remove(id) else {
            return Err(Status::not_found(format!("no reservation {id}")));
        };
        for (sku, warehouse, quantity) in &taken {
            if let Some(item) = stock.items.get_mut(sku) {
                *item.stock.entry(warehouse.clone()).or_default() += quantity;
            }
        }
        for (sku, _, _) in &taken {
            self.changed(&mut stock, sku);
        }
        self.log
            .record(&rid, "inventory", format!("ReleaseStock {id} -> released"));
        Ok(Response::new(protoforge::wkt::Empty::default()))
    }
}
