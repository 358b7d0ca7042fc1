#pragma once
// Small helpers shared by the route files: JSON replies and errors.

#include <exception>
#include <string>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace octet::serve {

// HTTP status codes the API uses.
inline constexpr int kHttpOk = 200;
inline constexpr int kHttpCreated = 201;
inline constexpr int kHttpBadRequest = 400;
inline constexpr int kHttpUnauthorized = 401;
inline constexpr int kHttpForbidden = 403;
inline constexpr int kHttpNotFound = 404;
inline constexpr int kHttpConflict = 409;
inline constexpr int kHttpPayloadTooLarge = 413;
inline constexpr int kHttpInternalError = 500;
inline constexpr int kHttpUnavailable = 503;

void reply_json(httplib::Response& res, int status, const nlohmann::ordered_json& body);
// {"error": message}
void reply_error(httplib::Response& res, int status, const std::string& message);

// Runs `handler()` for a route: an octet::Error (a bad request, or for uploads
// a failed write) is answered with `error_status` and its one-line message,
// any other exception with 500 "internal error: ...".
template <typename Handler>
void answer_errors(httplib::Response& res, int error_status, Handler&& handler) {
  try {
    handler();
  } catch (const Error& e) {
    reply_error(res, error_status, e.what());
  } catch (const std::exception& e) {
    reply_error(res, kHttpInternalError, fmt::format("internal error: {}", e.what()));
  }
}

// A route `handler(req, res, context)` for httplib, its errors answered by answer_errors.
template <typename Context, typename Handler>
httplib::Server::Handler guarded(Context& context, Handler handler, int error_status = kHttpBadRequest) {
  return [&context, handler, error_status](const httplib::Request& req, httplib::Response& res) {
    answer_errors(res, error_status, [&] { handler(req, res, context); });
  };
}

// The same for a route that reads the body itself: `handler(req, res, reader, context)`.
template <typename Context, typename Handler>
httplib::Server::HandlerWithContentReader guarded_reader(Context& context, Handler handler,
                                                         int error_status = kHttpBadRequest) {
  return [&context, handler, error_status](const httplib::Request& req, httplib::Response& res,
                                           const httplib::ContentReader& reader) {
    answer_errors(res, error_status, [&] { handler(req, res, reader, context); });
  };
}

// A route without a body, also reachable with one (a POST or DELETE carrying a body is routed to the
// content-reader form, so the body is never buffered): `handler(req, res, context)`.
template <typename Context, typename Handler>
httplib::Server::HandlerWithContentReader guarded_ignoring_body(Context& context, Handler handler) {
  return guarded_reader(context, [handler](const httplib::Request& req, httplib::Response& res,
                                           const httplib::ContentReader&, Context& c) { handler(req, res, c); });
}

}  // namespace octet::serve
