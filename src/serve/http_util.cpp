#include "serve/http_util.h"

namespace octet::serve {

void reply_json(httplib::Response& res, int status, const nlohmann::ordered_json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(), "application/json");
}

void reply_error(httplib::Response& res, int status, const std::string& message) {
  reply_json(res, status, nlohmann::ordered_json{{"error", message}});
}

}  // namespace octet::serve
