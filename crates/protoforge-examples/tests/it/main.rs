//! Every example runs as its documentation says (`cargo run -p
//! protoforge-examples --bin <name>`), within a time bound, exits 0 and
//! prints what a user would see. Each starts its own servers on
//! 127.0.0.1 port 0 and stops them before exiting.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// How long one example may run.
const LIMIT: Duration = Duration::from_secs(60);

/// Runs an example binary with `args`, killing it after [`LIMIT`].
fn run(binary: &str, args: &[&str]) -> Output {
    let mut child = Command::new(binary)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {binary}: {e}"));
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap_or_else(|e| panic!("{e}")).is_some() {
            break;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
            panic!(
                "{binary} did not finish in {LIMIT:?}\n--- stdout\n{}\n--- stderr\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap_or_else(|e| panic!("{e}"))
}

/// Runs the example and returns its stdout, failing unless it exits 0.
fn stdout_of(binary: &str, args: &[&str]) -> String {
    let out = run(binary, args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{binary} {args:?} failed ({})\n--- stdout\n{stdout}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// `text` without the lines naming the (random) listening port.
fn without_addresses(text: &str) -> String {
    text.lines()
        .filter(|l| !l.contains(" listening on "))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn greeter() {
    let out = stdout_of(env!("CARGO_BIN_EXE_greeter"), &[]);
    assert!(out.starts_with("greeter listening on 127.0.0.1:"), "{out}");
    assert_eq!(
        without_addresses(&out),
        "SayHello: Hello, world!\n\
         SayHelloStreamReply: Hello, world! / Bonjour, world! / Hola, world! / Hallo, world! / Ciao, world!\n\
         SayHello with no name: INVALID_ARGUMENT (a greeting needs a name)\n"
    );
}

#[test]
fn greeter_as_separate_server_and_client() {
    // `serve` on a port the system picks (it prints the address), and
    // `call` from another process; the server is killed afterwards.
    use std::io::BufRead;
    let mut server = Command::new(env!("CARGO_BIN_EXE_greeter"))
        .args(["serve", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut first = String::new();
    let stdout = server.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    std::io::BufReader::new(stdout)
        .read_line(&mut first)
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = first
        .strip_prefix("greeter listening on ")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_string();
    let out = run(env!("CARGO_BIN_EXE_greeter"), &["call", &addr, "Ada"]);
    let _ = server.kill();
    let _ = server.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("SayHello: Hello, Ada!\n"), "{stdout}");
}

#[test]
fn route_guide() {
    // Three of the ten features lie in the rectangle (40..41 N, 75..74.5 W);
    // the route's 315.4 km is the haversine sum over its seven points.
    let out = stdout_of(env!("CARGO_BIN_EXE_route-guide"), &[]);
    assert_eq!(
        without_addresses(&out),
        "GetFeature: \"Fox Hollow Farm\" at (40.9146, -74.6189)\n\
         GetFeature: nothing at (0.0000, 0.0000)\n\
         ListFeatures: 3 features in the rectangle: Old Mill, 12 River Road; Fox Hollow Farm; Marsh Bridge\n\
         RecordRoute: 7 points, 6 features, 315.4 km\n\
         RouteChat: heard back note 1 (at 0,1), note 2 (at 0,2), note 1 (at 0,1), note 3 (at 0,1)\n"
    );
}

#[test]
fn chat() {
    let out = stdout_of(env!("CARGO_BIN_EXE_chat"), &[]);
    for user in ["alice", "bob", "carol"] {
        assert!(out.contains(&format!("{user} heard 6 messages\n")), "{out}");
    }
    assert!(
        out.ends_with("all 3 clients heard the same 6 messages in the same order\n"),
        "{out}"
    );
    let transcript: Vec<&str> = out.lines().filter(|l| l.starts_with("  #")).collect();
    assert_eq!(transcript.len(), 6, "{out}");
    for said in [
        "alice: hi all",
        "bob: lunch sounds good",
        "carol: count me in",
    ] {
        assert!(
            transcript.iter().any(|l| l.ends_with(said)),
            "{said} missing: {out}"
        );
    }
}

#[test]
fn order_management() {
    let out = stdout_of(env!("CARGO_BIN_EXE_order-management"), &[]);
    let expected = [
        // Placed, with the path through all three services.
        "req-01: c-1 orders 2 x KB-01, 1 x MS-02 (budget 2000 ms)\n  orders     PlaceOrder for c-1 (deadline in ",
        "  customers  GetCustomer c-1 (deadline in ",
        "  inventory  -> r-0001, 20697 cents\n  orders     -> placed o-0001\n  => OK in ",
        ": order o-0001, 206.97 held by r-0001\n",
        // Downstream errors, translated.
        "=> NOT_FOUND in ",
        ": customer c-404 does not exist\n",
        "=> PERMISSION_DENIED in ",
        ": customer c-3 is suspended\n",
        "inventory  -> RESOURCE_EXHAUSTED: 10 x MN-27 wanted, 3 in stock\n  => FAILED_PRECONDITION in ",
        "inventory  -> NOT_FOUND: no item XX-99\n  => INVALID_ARGUMENT in ",
        ": an order needs at least one line\n",
        "inventory  -> FAILED_PRECONDITION: TP-00 is discontinued\n  => FAILED_PRECONDITION in ",
        "  inventory  ReleaseStock r-0003 -> released\n  => FAILED_PRECONDITION in ",
        ": the total of 329.00 is over the credit limit of 50.00 for c-4; the stock was released\n",
        // The deadline reaches the inventory, which is too slow for it.
        "  [inventory under load: 1000 ms per reservation]\n",
        ", under load: 1000 ms per reservation\n  => DEADLINE_EXCEEDED in ",
        // No request id from the caller: the interceptor assigns one.
        "orders-1 (assigned by the orders service): c-2 orders 1 x KB-01, 2 x CB-05",
        "  [customers service shut down]\n  orders     PlaceOrder for c-1",
        "=> UNAVAILABLE in ",
        ": the customers service is unavailable; retry later\n",
        "GetOrder o-0001: customer c-1, request req-01, 2 x KB-01, 1 x MS-02\n",
        "GetOrder o-0008: customer c-2, request orders-1, 2 x CB-05, 1 x KB-01\n",
        "stock left: CB-05 45, KB-01 5, MN-27 3, MS-02 9, TP-00 2\n",
        "WatchItems saw 8 stock changes (CB-05 2, KB-01 2, MN-27 3, MS-02 1)\n",
        "summary: 12 orders, 3 placed, 9 refused (DEADLINE_EXCEEDED 1, FAILED_PRECONDITION 3, INVALID_ARGUMENT 2, NOT_FOUND 1, OK 3, PERMISSION_DENIED 1, UNAVAILABLE 1)\n\
         every order ended with the status it should\n",
    ];
    for part in expected {
        assert!(out.contains(part), "missing:\n{part}\n--- output\n{out}");
    }
    // The deadline the inventory saw is the caller's 300 ms budget, less
    // what the orders service already spent.
    let line = out
        .lines()
        .find(|l| l.contains("ReserveStock for") && l.contains("under load"))
        .unwrap_or_else(|| panic!("{out}"));
    let ms: u64 = line
        .split("deadline in ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{line}"));
    assert!(ms <= 300, "{line}");
}
