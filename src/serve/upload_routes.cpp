// POST /api/uploads?kind=model|calibration|images&name=FILE: the raw request
// body streams to --data/uploads/ID/NAME, the size limit checked as it arrives.
// GET /api/uploads lists them; DELETE /api/uploads/ID removes one and its file
// unless a queued or running job uses it.

#include <algorithm>
#include <charconv>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "serve/http_util.h"
#include "serve/routes.h"
#include "serve/upload.h"
#include "util/byte_size.h"

namespace octet::serve {

namespace {

using Json = nlohmann::ordered_json;

// After the limit is passed, the rest of a body is read and dropped up to this
// much so that the client still receives the 413; beyond it the connection is cut.
constexpr std::uint64_t kMaxDrainBytes = 16ULL * 1024 * 1024;

std::vector<UploadKind> upload_kinds(const ServeConfig& config) {
  return {{"model", {".onnx", ".tflite"}, config.max_model_bytes},
          {"calibration", {".npy"}, config.max_calib_bytes},
          {"images", {".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz"}, config.max_images_bytes}};
}

std::optional<std::uint64_t> content_length(const httplib::Request& req) {
  if (!req.has_header("Content-Length")) return std::nullopt;
  const std::string text = req.get_header_value("Content-Length");
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Json upload_json(const Upload& upload, const std::vector<std::string>& active_jobs) {
  return Json{{"id", upload.id},         {"kind", upload.kind},       {"name", upload.name},
              {"bytes", upload.bytes},   {"created", upload.created}, {"active_jobs", active_jobs}};
}

std::string too_large(const UploadKind& kind, const std::string& name) {
  return fmt::format("{} upload '{}': larger than the limit of {} ({} bytes)", kind.name, name,
                     format_byte_size(kind.max_bytes), kind.max_bytes);
}

void handle_upload(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader,
                   ServerContext& context) {
  const std::vector<UploadKind> kinds = upload_kinds(context.config);
  const std::string kind_name = req.get_param_value("kind");
  const auto kind = std::find_if(kinds.begin(), kinds.end(), [&](const UploadKind& k) { return k.name == kind_name; });
  if (kind == kinds.end()) {
    return reply_error(res, kHttpBadRequest,
                       fmt::format("kind '{}': expected model, calibration or images", kind_name));
  }
  if (!req.has_param("name")) return reply_error(res, kHttpBadRequest, "name: required (the file's name)");
  const std::string name = sanitize_file_name(req.get_param_value("name"), "");
  const std::string extension = upload_extension(name);
  if (name.empty() || std::find(kind->extensions.begin(), kind->extensions.end(), extension) ==
                          kind->extensions.end()) {
    return reply_error(res, kHttpBadRequest,
                       fmt::format("{} upload '{}': the name must end in {}", kind->name, req.get_param_value("name"),
                                   fmt::join(kind->extensions, ", ")));
  }
  if (req.is_multipart_form_data()) {
    return reply_error(res, kHttpBadRequest, "send the file as the raw request body, not multipart/form-data");
  }
  // A declared size over the limit is refused before a byte is read.
  if (const auto length = content_length(req); length && *length > kind->max_bytes) {
    res.set_header("Connection", "close");
    return reply_error(res, kHttpPayloadTooLarge, too_large(*kind, name));
  }

  const std::string id = new_id();
  const std::filesystem::path dir = context.config.data_dir / "uploads" / id;
  std::filesystem::create_directories(dir);
  bool completed = false;
  std::uint64_t dropped = 0;
  {
    UploadFile file(dir / name, kind->max_bytes);
    completed = reader([&](const char* data, std::size_t size) {
      if (file.write(data, size)) return true;
      dropped += size;
      return dropped <= kMaxDrainBytes;
    });
    if (!file.over_limit() && completed) {
      if (const std::string problem = check_upload_magic(kind->name, extension, file.head()); !problem.empty()) {
        std::filesystem::remove_all(dir);
        return reply_error(res, kHttpBadRequest, fmt::format("{} upload '{}': {}", kind->name, name, problem));
      }
      if (file.bytes() == 0) {
        std::filesystem::remove_all(dir);
        return reply_error(res, kHttpBadRequest, fmt::format("{} upload '{}': the file is empty", kind->name, name));
      }
      file.commit();
    }
    if (file.over_limit()) {
      std::filesystem::remove_all(dir);
      res.set_header("Connection", "close");
      return reply_error(res, kHttpPayloadTooLarge, too_large(*kind, name));
    }
    if (!completed) {
      std::filesystem::remove_all(dir);
      return reply_error(res, kHttpBadRequest, fmt::format("{} upload '{}': the body was cut short", kind->name, name));
    }
  }
  Upload upload{id, kind->name, name, dir / name, std::filesystem::file_size(dir / name), now_seconds()};
  context.store.insert_upload(upload);
  reply_json(res, kHttpCreated, upload_json(upload, {}));
}

void list_uploads(const httplib::Request&, httplib::Response& res, ServerContext& context) {
  Json list = Json::array();
  for (const Upload& upload : context.store.uploads()) {
    list.push_back(upload_json(upload, context.store.active_jobs_using(upload.id)));
  }
  reply_json(res, kHttpOk, Json{{"uploads", list}});
}

void delete_upload(const httplib::Request& req, httplib::Response& res, ServerContext& context) {
  const std::string id = req.matches[1];
  const std::optional<Upload> upload = context.store.upload(id);
  const JobStore::EraseUpload erased = context.store.erase_upload(id);
  if (!erased.found || !upload) return reply_error(res, kHttpNotFound, fmt::format("upload '{}': no such upload", id));
  if (!erased.active_jobs.empty()) {
    return reply_error(res, kHttpConflict,
                       fmt::format("upload '{}' ({}): in use by {} {} (queued or running); cancel it or wait "
                                   "until it finishes",
                                   id, upload->name, erased.active_jobs.size() == 1 ? "job" : "jobs",
                                   fmt::join(erased.active_jobs, ", ")));
  }
  // The record is gone first, so no new job can pick the file up while it is removed.
  std::filesystem::remove_all(context.config.data_dir / "uploads" / id);
  reply_json(res, kHttpOk, Json{{"deleted", id}});
}

}  // namespace

void add_upload_routes(httplib::Server& http, ServerContext& context) {
  // A failed write on this side (disk full) is the server's error, not the request's.
  http.Post("/api/uploads", guarded_reader(context, handle_upload, kHttpInternalError));
  http.Get("/api/uploads", guarded(context, list_uploads));
  const std::string upload = "/api/uploads/([0-9a-f]{16})";
  http.Delete(upload, guarded(context, delete_upload));
  http.Delete(upload, guarded_ignoring_body(context, delete_upload));
}

}  // namespace octet::serve
