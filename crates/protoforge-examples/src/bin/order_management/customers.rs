//! The customers service: a directory of who may order and up to what
//! amount. `GetCustomer` answers NOT_FOUND for an unknown id.

use std::collections::BTreeMap;

use protoforge_examples::shop::customers::v1::customer::Standing;
use protoforge_examples::shop::customers::v1::{Customer, Customers, GetCustomerRequest};
use protoforge_grpc::{Request, Response, Status};

use crate::trace::{Log, request_id, time_left};

pub(crate) struct Directory {
    customers: BTreeMap<String, Customer>,
    log: Log,
}

impl Directory {
    /// The demo's customers.
    pub(crate) fn new(log: Log) -> Directory {
        // Credit limits in cents.
        let people = [
            ("c-1", "Ada Lovelace", Standing::Good, 50_000),
            ("c-2", "Grace Hopper", Standing::Good, 200_000),
            ("c-3", "Alan Turing", Standing::Suspended, 100_000),
            ("c-4", "Edsger Dijkstra", Standing::Good, 5_000),
        ];
        let customers = people
            .into_iter()
            .map(|(id, name, standing, limit)| {
                let customer = Customer {
                    customer_id: id.to_string(),
                    display_name: name.to_string(),
                    standing: standing.into(),
                    credit_limit_cents: limit,
                    ..Default::default()
                };
                (id.to_string(), customer)
            })
            .collect();
        Directory { customers, log }
    }
}

impl Customers for Directory {
    async fn get_customer(
        &self,
        request: Request<GetCustomerRequest>,
    ) -> Result<Response<Customer>, Status> {
        let rid = request_id(request.metadata());
        let id = &request.get_ref().customer_id;
        let left = time_left(request.context().deadline());
        match self.customers.get(id) {
            Some(customer) => {
                self.log.record(
                    &rid,
                    "customers",
                    format!("GetCustomer {id} ({left}) -> {}", customer.display_name),
                );
                Ok(Response::new(customer.clone()))
            }
            None => {
                self.log.record(
                    &rid,
                    "customers",
                    format!("GetCustomer {id} ({left}) -> NOT_FOUND"),
                );
                Err(Status::not_found(format!("no customer {id}")))
            }
        }
    }
}
