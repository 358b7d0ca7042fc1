#pragma once
// The loop of octet's GEMM convolution cores (vnni_gemm_int8.cpp,
// avx512_gemm_f32.cpp): channel block by channel block (so each block's
// weights serve every tile of rows while they are in cache), tile by tile,
// calling the micro-kernel instantiated for the block's count of vectors.

#include <algorithm>
#include <cstddef>
#include <type_traits>

namespace octet::fast {

struct TileGrid {
  std::size_t channels = 0;        // N
  std::size_t rows = 0;            // rows to compute
  std::size_t first_block = 0, end_block = 0;
  std::size_t lanes = 0;           // channels per vector
  std::size_t block_vectors = 0;   // vectors per full block
  std::size_t tile_rows = 0;       // rows per micro-kernel call
};

// tile(std::integral_constant<std::size_t, V>{}, block, first_row, valid_rows) for every tile
// of every block in [first_block, end_block); V (1..kMaxVectors) covers the block's channels.
template <std::size_t kMaxVectors, typename Tile>
void for_each_tile(const TileGrid& grid, const Tile& tile) {
  static_assert(kMaxVectors == 4, "the dispatch below instantiates 1 to 4 vectors");
  const std::size_t block_channels = grid.lanes * grid.block_vectors;
  for (std::size_t b = grid.first_block; b < grid.end_block; ++b) {
    const std::size_t valid = std::min(block_channels, grid.channels - b * block_channels);
    const std::size_t vectors = (valid + grid.lanes - 1) / grid.lanes;
    for (std::size_t first = 0; first < grid.rows; first += grid.tile_rows) {
      const std::size_t count = std::min(grid.tile_rows, grid.rows - first);
      switch (vectors) {
        case 1: tile(std::integral_constant<std::size_t, 1>{}, b, first, count); break;
        case 2: tile(std::integral_constant<std::size_t, 2>{}, b, first, count); break;
        case 3: tile(std::integral_constant<std::size_t, 3>{}, b, first, count); break;
        default: tile(std::integral_constant<std::size_t, 4>{}, b, first, count); break;
      }
    }
  }
}

}  // namespace octet::fast
