//! `HEAD` wherever `GET` works (PRODUCT.md §10): the request is routed as a
//! `GET`, and the answer keeps its status and headers (content type and
//! length included) but sends no body.

use actix_web::body::{BodySize, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The GET answer's size, with no bytes: HTTP/1 writes `Content-Length`
/// from `size()` and, for a HEAD request, never asks for the bytes.
pub struct HeadBody(BodySize);

impl MessageBody for HeadBody {
    type Error = Infallible;

    fn size(&self) -> BodySize {
        self.0
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Poll::Ready(None)
    }
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, HeadBody>>, actix_web::Error> {
    let head = req.method() == Method::HEAD;
    if head {
        req.head_mut().method = Method::GET;
    }
    let res = next.call(req).await?;
    if !head {
        return Ok(res.map_into_left_body());
    }
    Ok(res.map_body(|_, body| EitherBody::right(HeadBody(body.size()))))
}
