#pragma once
// A command that writes several files leaves all of them or none: every file
// and folder it creates is recorded, and if the guard is destroyed before
// commit() (an error part-way through), they are removed again, newest first.
// Folders that existed before are never removed.

#include <filesystem>
#include <vector>

namespace octet {

class OutputGuard {
 public:
  OutputGuard() = default;
  ~OutputGuard();
  OutputGuard(const OutputGuard&) = delete;
  OutputGuard& operator=(const OutputGuard&) = delete;

  // Creates `dir` and its missing parents, recording the ones created here.
  // Throws octet::Error naming the folder when it cannot be created.
  void create_directories(const std::filesystem::path& dir);
  // Records a file the command has written.
  void created_file(const std::filesystem::path& file) { created_.push_back(file); }
  // Keeps everything recorded.
  void commit() { created_.clear(); }

 private:
  std::vector<std::filesystem::path> created_;
};

}  // namespace octet
