#pragma once
// Small helpers shared by the route files: JSON replies and errors.

#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

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

}  // namespace octet::serve
