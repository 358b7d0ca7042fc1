#include "runtime/fast/im2col.h"

#include "runtime/fast/window.h"

namespace octet::fast {

namespace {

// Gathered rows per pixel chunk at most this many bytes (half of a 1 MiB L2); at least one tile.
constexpr std::size_t kTaskRowBytes = 512 * 1024;
// Tasks per thread, for load balance.
constexpr std::size_t kTasksPerThread = 4;
// With several threads, pixel chunks keep at least this many tiles (weights reused that often).
constexpr std::size_t kMinChunkTiles = 8;

}  // namespace

ConvGeometry conv_geometry(const FastContext& c) {
  const TensorView& in = c.inputs[kConvInput];
  const TensorView& filter = c.inputs[kConvFilter];
  const TensorView& out = c.outputs[0];
  const auto& o = c.op.opts<Conv2DOptions>();
  const Window own = window_padding(in.shape, out.shape, filter.shape[1], filter.shape[2], o.stride_h, o.stride_w,
                                    o.dilation_h, o.dilation_w);
  const ConvSource source = conv_source(c, own);
  ConvGeometry g;
  g.batch = static_cast<std::size_t>(source.view.shape[0]);
  g.in_h = static_cast<std::size_t>(source.view.shape[1]);
  g.in_w = static_cast<std::size_t>(source.view.shape[2]);
  g.in_c = static_cast<std::size_t>(source.view.shape[3]);
  g.out_h = static_cast<std::size_t>(out.shape[1]);
  g.out_w = static_cast<std::size_t>(out.shape[2]);
  g.out_c = static_cast<std::size_t>(out.shape[3]);
  g.kernel_h = static_cast<std::size_t>(filter.shape[1]);
  g.kernel_w = static_cast<std::size_t>(filter.shape[2]);
  g.stride_h = static_cast<std::size_t>(o.stride_h);
  g.stride_w = static_cast<std::size_t>(o.stride_w);
  g.dilation_h = static_cast<std::size_t>(o.dilation_h);
  g.dilation_w = static_cast<std::size_t>(o.dilation_w);
  g.pad_top = source.pad.top;
  g.pad_left = source.pad.left;
  return g;
}

GemmTasks plan_gemm_tasks(std::size_t pixels, std::size_t tile_rows, std::size_t row_bytes, std::size_t blocks,
                          pthreadpool* pool) {
  const std::size_t tiles = (pixels + tile_rows - 1) / tile_rows;
  const std::size_t threads = pool == nullptr ? 1 : pthreadpool_get_threads_count(pool);
  const std::size_t wanted = threads > 1 ? threads * kTasksPerThread : 1;
  std::size_t per_chunk = std::max<std::size_t>(1, kTaskRowBytes / std::max<std::size_t>(1, tile_rows * row_bytes));
  per_chunk = std::min(per_chunk, tiles);
  // Several threads: smaller chunks while each keeps at least kMinChunkTiles tiles.
  if (threads > 1) per_chunk = std::min(per_chunk, std::max(kMinChunkTiles, tiles / wanted));
  // Few pixels and enough channel blocks for every task: one chunk of all the
  // pixels, split by channel blocks only, so each block's weights are read by
  // one task once (a resnet's 7x7 layers: their weights are larger than their
  // activations and come from DRAM).
  if (threads > 1 && tiles <= 2 * kMinChunkTiles && blocks >= wanted) per_chunk = tiles;
  GemmTasks t;
  t.rows_per_chunk = per_chunk * tile_rows;
  t.chunks = (pixels + t.rows_per_chunk - 1) / t.rows_per_chunk;
  t.blocks = blocks;
  t.groups = std::min(blocks, std::max<std::size_t>(1, wanted / t.chunks));
  t.blocks_per_group = (blocks + t.groups - 1) / t.groups;
  t.groups = (blocks + t.blocks_per_group - 1) / t.blocks_per_group;
  return t;
}

}  // namespace octet::fast
