//! A webhook receiver for tests: an actix server on 127.0.0.1 that records
//! every request (headers and raw body), answers scripted statuses (then
//! 200), can hold each request for a while, and counts requests for an
//! event that arrive while another for the same event is still in flight.

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU16, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Received {
    /// Lower-case header names.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
    /// The status this request was answered with.
    pub answered: u16,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map_or("", String::as_str)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

#[derive(Default)]
struct Inner {
    log: Mutex<Vec<Received>>,
    script: Mutex<VecDeque<u16>>,
    fallback: AtomicU16,
    hold_ms: AtomicU64,
    in_flight: Mutex<HashSet<String>>,
    overlaps: AtomicUsize,
}

pub struct Receiver {
    /// `http://127.0.0.1:port/hook`
    pub url: String,
    inner: Arc<Inner>,
    server: ServerHandle,
}

async fn receive(req: HttpRequest, body: web::Bytes, inner: web::Data<Arc<Inner>>) -> HttpResponse {
    let event = req
        .headers()
        .get("selfserve-event-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let fresh = inner.in_flight.lock().unwrap().insert(event.clone());
    if !fresh {
        inner.overlaps.fetch_add(1, Ordering::SeqCst);
    }
    let hold = inner.hold_ms.load(Ordering::SeqCst);
    if hold > 0 {
        tokio::time::sleep(Duration::from_millis(hold)).await;
    }
    let status = inner
        .script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or_else(|| inner.fallback.load(Ordering::SeqCst));
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    inner.log.lock().unwrap().push(Received {
        headers,
        body: body.to_vec(),
        answered: status,
    });
    if fresh {
        inner.in_flight.lock().unwrap().remove(&event);
    }
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).finish()
}

impl Receiver {
    pub async fn start() -> Self {
        let inner = Arc::new(Inner {
            fallback: AtomicU16::new(200),
            ..Inner::default()
        });
        let data = web::Data::new(inner.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(receive))
        })
        .workers(2)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .expect("bind receiver");
        let addr = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Receiver {
            url: format!("http://{addr}/hook"),
            inner,
            server: handle,
        }
    }

    /// The next answers, in order; 200 (or `always`) afterwards.
    pub fn answer(&self, statuses: &[u16]) {
        self.inner.script.lock().unwrap().extend(statuses);
    }

    pub fn always(&self, status: u16) {
        self.inner.fallback.store(status, Ordering::SeqCst);
    }

    /// Holds every request this long before answering.
    pub fn hold(&self, duration: Duration) {
        self.inner
            .hold_ms
            .store(duration.as_millis() as u64, Ordering::SeqCst);
    }

    /// Requests answered so far (a held request shows once answered).
    pub fn received(&self) -> Vec<Received> {
        self.inner.log.lock().unwrap().clone()
    }

    /// Requests that have arrived, answered or not.
    pub fn arrived(&self) -> usize {
        self.received().len() + self.inner.in_flight.lock().unwrap().len()
    }

    /// Requests for an event that arrived while one for the same event was in flight.
    pub fn overlaps(&self) -> usize {
        self.inner.overlaps.load(Ordering::SeqCst)
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        drop(self.server.stop(false));
    }
}
