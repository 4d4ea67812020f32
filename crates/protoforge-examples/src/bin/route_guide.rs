//! The route guide: `routeguide.RouteGuide`, one service with the four kinds
//! of gRPC call (unary `GetFeature`, server-streaming `ListFeatures`,
//! client-streaming `RecordRoute`, bidirectional `RouteChat`), server and
//! client in one process.
//!
//! ```text
//! cargo run -p protoforge-examples --bin route-guide
//! ```

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::error::Error;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use protoforge_examples::Running;
use protoforge_examples::routeguide::{
    Feature, Point, Rectangle, RouteGuide, RouteGuideClient, RouteGuideServer, RouteNote,
    RouteSummary,
};
use protoforge_grpc::{
    CallOptions, Request, Response, ResponseSink, Server, Status, Streaming, stream,
};

/// Named places, in E7 coordinates (degrees × 10^7).
const FEATURES: &[(&str, i32, i32)] = &[
    ("Old Mill, 12 River Road", 407_838_351, -746_143_763),
    ("Lighthouse Point", 408_122_808, -743_999_179),
    ("Granite Quarry Trailhead", 413_628_156, -749_015_468),
    ("Beacon Hill Observatory", 419_999_544, -740_371_136),
    ("Cedar Lake Boathouse", 414_008_389, -743_951_297),
    ("Fox Hollow Farm", 409_146_138, -746_188_906),
    ("North Gate Ferry", 404_701_380, -744_781_745),
    ("Marsh Bridge", 409_642_566, -746_017_679),
    ("Hilltop Chapel", 408_472_324, -740_726_046),
    ("Stone Arch Viaduct", 412_914_240, -742_993_150),
];

fn point(latitude: i32, longitude: i32) -> Point {
    Point {
        latitude,
        longitude,
        ..Default::default()
    }
}

fn features() -> Vec<Feature> {
    FEATURES
        .iter()
        .map(|&(name, lat, lon)| Feature {
            name: name.to_string(),
            location: Some(point(lat, lon)),
            ..Default::default()
        })
        .collect()
}

fn same_place(a: &Point, b: &Point) -> bool {
    a.latitude == b.latitude && a.longitude == b.longitude
}

fn inside(rect: &Rectangle, p: &Point) -> bool {
    let (Some(lo), Some(hi)) = (&rect.lo, &rect.hi) else {
        return false;
    };
    let (left, right) = (
        lo.longitude.min(hi.longitude),
        lo.longitude.max(hi.longitude),
    );
    let (bottom, top) = (lo.latitude.min(hi.latitude), lo.latitude.max(hi.latitude));
    (left..=right).contains(&p.longitude) && (bottom..=top).contains(&p.latitude)
}

/// The great-circle distance in metres (haversine formula).
fn distance(a: &Point, b: &Point) -> f64 {
    const EARTH_RADIUS_M: f64 = 6_371_000.0;
    let rad = |e7: i32| (f64::from(e7) / 1e7).to_radians();
    let (lat1, lat2) = (rad(a.latitude), rad(b.latitude));
    let dlat = lat2 - lat1;
    let dlon = rad(b.longitude) - rad(a.longitude);
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().atan2((1.0 - h).sqrt())
}

struct Guide {
    features: Vec<Feature>,
    /// Notes left at each place, by (latitude, longitude).
    notes: Mutex<BTreeMap<(i32, i32), Vec<RouteNote>>>,
}

impl RouteGuide for Guide {
    async fn get_feature(&self, request: Request<Point>) -> Result<Response<Feature>, Status> {
        let wanted = request.get_ref();
        let found = self
            .features
            .iter()
            .find(|f| f.location.as_ref().is_some_and(|l| same_place(l, wanted)));
        // An unnamed feature at the point when nothing is there.
        Ok(Response::new(found.cloned().unwrap_or_else(|| Feature {
            location: Some(wanted.clone()),
            ..Default::default()
        })))
    }

    async fn list_features(
        &self,
        request: Request<Rectangle>,
        mut responses: ResponseSink<Feature>,
    ) -> Result<(), Status> {
        let rect = request.get_ref();
        for feature in &self.features {
            if feature.location.as_ref().is_some_and(|l| inside(rect, l)) {
                responses.send(feature.clone()).await?;
            }
        }
        Ok(())
    }

    async fn record_route(
        &self,
        request: Request<Streaming<Point>>,
    ) -> Result<Response<RouteSummary>, Status> {
        let start = Instant::now();
        let mut points = request.into_inner();
        let mut summary = RouteSummary::default();
        let mut previous: Option<Point> = None;
        let mut metres = 0.0;
        while let Some(p) = points.message().await? {
            summary.point_count += 1;
            if self.features.iter().any(|f| {
                !f.name.is_empty() && f.location.as_ref().is_some_and(|l| same_place(l, &p))
            }) {
                summary.feature_count += 1;
            }
            if let Some(prev) = &previous {
                metres += distance(prev, &p);
            }
            previous = Some(p);
        }
        summary.distance = metres.round() as i32;
        summary.elapsed_time = start.elapsed().as_secs() as i32;
        Ok(Response::new(summary))
    }

    async fn route_chat(
        &self,
        request: Request<Streaming<RouteNote>>,
        mut responses: ResponseSink<RouteNote>,
    ) -> Result<(), Status> {
        let mut notes = request.into_inner();
        while let Some(note) = notes.message().await? {
            let key = note
                .location
                .as_ref()
                .map_or((0, 0), |l| (l.latitude, l.longitude));
            // Everything said here before, then remember this note.
            let earlier = {
                let mut all = self
                    .notes
                    .lock()
                    .map_err(|_| Status::internal("poisoned"))?;
                let here = all.entry(key).or_default();
                let earlier = here.clone();
                here.push(note);
                earlier
            };
            for previous in earlier {
                responses.send(previous).await?;
            }
        }
        Ok(())
    }
}

fn name_of(feature: &Feature) -> String {
    let at = feature
        .location
        .as_ref()
        .map(|l| {
            format!(
                "({:.4}, {:.4})",
                f64::from(l.latitude) / 1e7,
                f64::from(l.longitude) / 1e7
            )
        })
        .unwrap_or_default();
    if feature.name.is_empty() {
        format!("nothing at {at}")
    } else {
        format!("\"{}\" at {at}", feature.name)
    }
}

async fn demo() -> Result<(), Box<dyn Error>> {
    let running = Running::start(Server::builder().add_service(RouteGuideServer::new(Guide {
        features: features(),
        notes: Mutex::new(BTreeMap::new()),
    })))
    .await?;
    println!("route guide listening on {}", running.addr());
    let client = RouteGuideClient::new(running.channel()?);
    let options = || CallOptions::new().timeout(Duration::from_secs(10));

    // Unary.
    for p in [point(409_146_138, -746_188_906), point(0, 0)] {
        let feature = client.get_feature(p, options()).await?.into_inner();
        println!("GetFeature: {}", name_of(&feature));
    }

    // Server streaming.
    let rect = Rectangle {
        lo: Some(point(400_000_000, -750_000_000)),
        hi: Some(point(410_000_000, -745_000_000)),
        ..Default::default()
    };
    let mut found = client.list_features(rect, options()).await?.into_inner();
    let mut names = Vec::new();
    while let Some(feature) = found.message().await? {
        names.push(feature.name);
    }
    println!(
        "ListFeatures: {} features in the rectangle: {}",
        names.len(),
        names.join("; ")
    );

    // Client streaming.
    let route: Vec<Point> = [0, 5, 7, 1, 8, 3]
        .iter()
        .map(|&i| {
            let (_, lat, lon) = FEATURES[i];
            point(lat, lon)
        })
        .chain([point(410_000_000, -744_000_000)])
        .collect();
    let summary = client
        .record_route(stream::iter(route), options())
        .await?
        .into_inner();
    println!(
        "RecordRoute: {} points, {} features, {:.1} km",
        summary.point_count,
        summary.feature_count,
        f64::from(summary.distance) / 1000.0
    );

    // Bidirectional streaming: each note comes back with the notes left
    // earlier at the same place.
    let places = [
        point(0, 1),
        point(0, 2),
        point(0, 1),
        point(0, 2),
        point(0, 1),
    ];
    let notes: Vec<RouteNote> = places
        .iter()
        .enumerate()
        .map(|(i, p)| RouteNote {
            location: Some(p.clone()),
            message: format!("note {}", i + 1),
            ..Default::default()
        })
        .collect();
    let mut heard = client.route_chat(stream::iter(notes), options()).await?;
    let mut received = Vec::new();
    while let Some(note) = heard.message().await? {
        let at = note.location.as_ref().map_or(0, |l| l.longitude);
        received.push(format!("{} (at 0,{at})", note.message));
    }
    println!("RouteChat: heard back {}", received.join(", "));

    running.stop().await.map_err(|e| e.to_string())?;
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match demo().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("route-guide: {e}");
            ExitCode::FAILURE
        }
    }
}
