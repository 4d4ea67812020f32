//! The generated googleapis packages, services included, compile together;
//! a few of their types are used the way services use them.

use protoforge::Message;
use protoforge::wkt::Any;

pub mod google {
    pub mod api {
        protoforge::include_proto!("google.api");
    }
    pub mod cloud {
        protoforge::include_proto!("google.cloud");
        pub mod location {
            protoforge::include_proto!("google.cloud.location");
        }
    }
    pub mod gapic {
        pub mod metadata {
            protoforge::include_proto!("google.gapic.metadata");
        }
    }
    pub mod logging {
        pub mod r#type {
            protoforge::include_proto!("google.logging.type");
        }
    }
    pub mod longrunning {
        protoforge::include_proto!("google.longrunning");
    }
    pub mod rpc {
        protoforge::include_proto!("google.rpc");
        pub mod context {
            protoforge::include_proto!("google.rpc.context");
        }
    }
    pub mod r#type {
        protoforge::include_proto!("google.type");
    }
}

fn main() {
    // A rich error: google.rpc.Status carrying an ErrorInfo in an Any.
    let info = google::rpc::ErrorInfo {
        reason: "STOCK_SHORT".into(),
        domain: "shop.example".into(),
        ..Default::default()
    };
    let status = google::rpc::Status {
        code: 9,
        message: "not enough stock".into(),
        details: vec![Any::pack(&info)],
        ..Default::default()
    };
    let back = google::rpc::Status::decode(&status.encode_to_vec()).expect("decodes");
    let unpacked: google::rpc::ErrorInfo = back.details[0].unpack().expect("an ErrorInfo");

    let price = google::r#type::Money {
        currency_code: "EUR".into(),
        units: 12,
        nanos: 500_000_000,
        ..Default::default()
    };

    // The http annotation is an extension of MethodOptions.
    let rule = google::api::HttpRule {
        pattern: Some(google::api::http_rule::Pattern::Get("/v1/{name=operations/**}".into())),
        ..Default::default()
    };

    // Service code exists and names the right methods.
    fn _client(channel: protoforge_grpc::Channel) -> google::longrunning::OperationsClient {
        google::longrunning::OperationsClient::new(channel)
    }

    println!("{} {} {}", back.code, unpacked.reason, back.details[0].type_url);
    println!("{} {}.{:09}", price.currency_code, price.units, price.nanos);
    println!("{}", rule.encode_to_vec().len());
}
