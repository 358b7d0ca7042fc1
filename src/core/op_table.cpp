#include "core/op_table.h"

#include <array>
#include <span>

namespace octet {

namespace {

template <typename T, typename Variant>
struct VariantIndex;
template <typename T, typename... Ts>
struct VariantIndex<T, std::variant<Ts...>> {
  static constexpr std::size_t value = [] {
    constexpr std::array<bool, sizeof...(Ts)> same{std::is_same_v<T, Ts>...};
    for (std::size_t i = 0; i < same.size(); ++i) {
      if (same[i]) return i;
    }
    return same.size();
  }();
};

constexpr std::array kOps{
#define OCTET_OP_INFO(id, name, options, min_in, max_in) \
  OpInfo{OpType::id, name, VariantIndex<options, OpOptions>::value, min_in, max_in},
    OCTET_OP_TABLE(OCTET_OP_INFO)
#undef OCTET_OP_INFO
};

}  // namespace

const OpInfo& op_info(OpType type) { return kOps[static_cast<std::size_t>(type)]; }

std::string_view op_name(OpType type) { return op_info(type).name; }

std::span<const OpInfo> all_ops() { return kOps; }

OpOptions default_options(OpType type) {
  switch (type) {
#define OCTET_OP_DEFAULT(id, name, options, min_in, max_in) \
  case OpType::id: return options{};
    OCTET_OP_TABLE(OCTET_OP_DEFAULT)
#undef OCTET_OP_DEFAULT
  }
  return NoOptions{};
}

}  // namespace octet
