//! Uses the generated code the way a user would: modules mirroring the
//! packages, filled by `protoforge::include_proto!`. Prints what it checked.

use std::collections::HashSet;

use protoforge::Message;

pub mod fixture {
    pub mod common {
        protoforge::include_proto!("fixture.common");
    }
    pub mod shop {
        protoforge::include_proto!("fixture.shop");
    }
}

pub mod google {
    pub mod api {
        protoforge::include_proto!("google.api");
    }
    pub mod rpc {
        protoforge::include_proto!("google.rpc");
    }
}

mod loose {
    protoforge::include_proto!();
}

fn main() {
    use fixture::common::Money;
    use fixture::shop::{Order, order};

    let mut order = Order {
        id: "o-1".into(),
        total: Some(Money {
            currency: "EUR".into(),
            units: 42,
            ..Default::default()
        }),
        placed_at: Some(protoforge::wkt::Timestamp {
            seconds: 1_700_000_000,
            ..Default::default()
        }),
        payload: protoforge::Bytes::from_static(b"\x01\x02"),
        last_error: Some(google::rpc::Status {
            code: 5,
            message: "not found".into(),
            ..Default::default()
        }),
        state: order::State::Open.into(),
        note: Some(order::Note::Code(7)),
        ..Default::default()
    };
    // `btree_map`: a sorted map.
    order.quantities.insert("b".into(), 2);
    order.quantities.insert("a".into(), 1);
    let keys: Vec<&String> = order.quantities.keys().collect();
    assert_eq!(keys, ["a", "b"]);

    let bytes = order.encode_to_vec();
    let back = Order::decode(&bytes).expect("decodes");
    assert_eq!(back, order);

    // `type_attribute`: Money is Hash + Eq.
    let set: HashSet<Money> = back.total.into_iter().collect();

    let loose = loose::Loose {
        name: "no package".into(),
        ..Default::default()
    };

    let set_bytes: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/fixture.binpb"));
    let descriptors = protoforge::descriptor::FileDescriptorSet::decode(set_bytes).expect("descriptor set");
    let names: Vec<&str> = descriptors
        .file
        .iter()
        .filter_map(|f| f.name.as_ref()?.as_str().ok())
        .collect();

    println!("order {} round-tripped in {} bytes", back.id, bytes.len());
    println!("money set holds {}", set.len());
    println!("loose: {}", loose.name);
    println!("descriptor set: {}", names.join(" "));
}
