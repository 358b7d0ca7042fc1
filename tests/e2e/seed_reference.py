"""Test reference: the seed's preprocessing, copied from the LaunchX documentation.

The code between the "BEGIN/END COPY" markers is copied verbatim from the
LaunchX doc section "Convert the dataset to NumPy for calibration"
(/work/shared/seed/000_c44395ab58c953e1.txt). It is the oracle that octet is
compared against, so do not "fix" it: only the parts that write files, print,
or drop into pdb were left out, so that it can be called for one file at a time.

Below the copy are thin wrappers:
  * seed_load_one()      -- what the seed's _load_dataset loop does for one file
                            (imread + _preprocess inside the same try/except),
  * octet_expected()     -- maps octet's options (--size WxH, --letterbox /
                            --stretch, --mean/--std, --layout) onto the seed
                            (plus the one documented deviation, see
                            OCTET_CLAMPS_ZERO_SIDE),
  * octet_candidates()   -- octet's documented file-listing rules (which differ
                            from the seed's glob listing on purpose: case-insensitive
                            extensions, hidden files/dirs skipped, bytewise sort).
"""
import os
from typing import Dict, List, Literal, Optional, Sequence, Tuple

# ---------------------------------------------------------------- BEGIN COPY
from glob import glob
import os
import pathlib
import random
from typing import Literal, List, Tuple

import cv2
import numpy as np

img_file_types = [
   "*.jpeg",
   "*.JPEG",
   "*.jpg",
   "*.JPG",
   "*.png",
   "*.PNG",
   "*.BMP",
   "*.bmp",
   "*.TIF",
   "*.tif",
   "*.TIFF",
   "*.tiff",
   "*.DNG",
   "*.dng",
   "*.WEBP",
   "*.webp",
   "*.mpo",
   "*.MPO",
]


class DataPreprocessor():
   def __init__(
      self,
      root_dir: str,
      input_shape: Tuple[int, int],
      color_mode: Literal["bgr", "rgb"],
      padding: bool,
      normalize: bool
   ):
      self.root_dir = root_dir
      self.input_shape = input_shape
      self.color_mode = color_mode
      self.padding = padding
      self.normalize = normalize
      self.img_list = []

   def _get_img_list(self,):
      self.img_list = []

      for root, dirs, files in os.walk(self.root_dir):
            for img_type in img_file_types:
               img_files = glob(os.path.join(root, img_type))
               self.img_list += img_files

      self.img_list = list(set(self.img_list))
      if len(self.img_list) == 0:
            raise Exception(f"No image in {self.root_dir}")

      random.shuffle(self.img_list)

   def _img_padding(self, im):
      shape = im.shape[:2]  # current shape [height, width]
      new_shape = self.input_shape
      if isinstance(new_shape, int):
            new_shape = (new_shape, new_shape)

      # Scale ratio (new / old)
      r = min(new_shape[0] / shape[0], new_shape[1] / shape[1])

      # Compute padding
      new_unpad = int(round(shape[1] * r)), int(round(shape[0] * r))
      if shape[::-1] != new_unpad:  # resize
            im = cv2.resize(im, new_unpad, interpolation=cv2.INTER_LINEAR)
      left, right = int(round((new_shape[1] - new_unpad[0])/2 - 0.1)), int(round((new_shape[1] - new_unpad[0])/2 + 0.1))
      top, bottom = int(round((new_shape[0] - new_unpad[1])/2 - 0.1)), int(round((new_shape[0] - new_unpad[1])/2 + 0.1))
      im = cv2.copyMakeBorder(im, top, bottom, left, right, cv2.BORDER_CONSTANT, value=(114,114,114))  # add border
      return im

   def _preprocess(self, img):
      x = []
      if self.color_mode == "rgb":
            img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
      if self.padding:
            img = self._img_padding(img)
      else:
            img = cv2.resize(img, self.input_shape)
      x.append(np.asarray(img))
      x = np.array(x)
      x = np.float32(x)
      if self.normalize:
            x = x / 255.0
      return x
# ------------------------------------------------------------------ END COPY


def seed_load_one(path: str, input_shape: Tuple[int, int], color_mode: str,
                  padding: bool, normalize: bool, img=None):
    """One iteration of the seed's _load_dataset loop.

    Returns the (1, H, W, 3) float32 array the seed would append to
    valid_images, or None when the seed would put the file in error_files
    (cv2.imread returned None, or any exception in _preprocess, e.g. a
    letterbox that scales one side to 0 pixels).

    `img` may be a previously cached cv2.imread(path) result (the seed calls
    cv2.imread(f) with the default IMREAD_COLOR flag); it is copied so the
    cache is never modified.
    """
    dp = DataPreprocessor(os.path.dirname(path), input_shape, color_mode, padding, normalize)

    def is_valid_image(image):
        return image is not None

    try:
        src = cv2.imread(path) if img is None else img.copy()
        out = dp._preprocess(src)
        if is_valid_image(out):
            return out
        return None
    except Exception:
        return None


# octet deliberately differs from the seed in ONE place (docs/prepare.md,
# "Differences from the LaunchX script"): when letterbox scales one side of a
# very thin image to 0 px, the seed's cv2.resize raises and the seed lists the
# file in error_files; octet makes that side 1 px and keeps the image.  The
# tests follow the documented behaviour; set this to False to hold octet to
# the seed's behaviour instead.
OCTET_CLAMPS_ZERO_SIDE = True


class ClampedPreprocessor(DataPreprocessor):
   """The seed's DataPreprocessor with the documented octet deviation: its
   _img_padding copied unchanged except for max(1, ...) on new_unpad."""

   def _img_padding(self, im):
      shape = im.shape[:2]  # current shape [height, width]
      new_shape = self.input_shape
      if isinstance(new_shape, int):
            new_shape = (new_shape, new_shape)

      # Scale ratio (new / old)
      r = min(new_shape[0] / shape[0], new_shape[1] / shape[1])

      # Compute padding
      new_unpad = max(1, int(round(shape[1] * r))), max(1, int(round(shape[0] * r)))  # octet: max(1, ...)
      if shape[::-1] != new_unpad:  # resize
            im = cv2.resize(im, new_unpad, interpolation=cv2.INTER_LINEAR)
      left, right = int(round((new_shape[1] - new_unpad[0])/2 - 0.1)), int(round((new_shape[1] - new_unpad[0])/2 + 0.1))
      top, bottom = int(round((new_shape[0] - new_unpad[1])/2 - 0.1)), int(round((new_shape[0] - new_unpad[1])/2 + 0.1))
      im = cv2.copyMakeBorder(im, top, bottom, left, right, cv2.BORDER_CONSTANT, value=(114,114,114))  # add border
      return im


def zero_side_case(img, width: int, height: int) -> bool:
    """True if the seed's letterbox would round one side of `img` to 0 px."""
    if img is None:
        return False
    h0, w0 = img.shape[:2]
    r = min(height / h0, width / w0)
    return int(round(w0 * r)) == 0 or int(round(h0 * r)) == 0


def seed_input_shape(width: int, height: int, resize: str) -> Tuple[int, int]:
    """octet --size WxH -> the seed's input_shape.

    The seed's letterbox treats input_shape as (H, W); its stretch passes
    input_shape straight to cv2.resize, i.e. (W, H).
    """
    if resize == "letterbox":
        return (height, width)
    if resize == "stretch":
        return (width, height)
    raise ValueError(resize)


def octet_expected(path: str, width: int, height: int, resize: str = "letterbox",
                   color: str = "bgr", normalize: bool = True,
                   mean: Optional[Sequence[float]] = None,
                   std: Optional[Sequence[float]] = None,
                   layout: str = "nhwc", img=None) -> Optional[np.ndarray]:
    """The array octet must store for one image: (H, W, 3) or (3, H, W) float32,
    or None if the seed would have listed the file as an error."""
    if img is None:
        img = cv2.imread(path)
    x = seed_load_one(path, seed_input_shape(width, height, resize), color,
                      resize == "letterbox", normalize, img=img)
    if x is None and OCTET_CLAMPS_ZERO_SIDE and resize == "letterbox" and zero_side_case(img, width, height):
        dp = ClampedPreprocessor(os.path.dirname(path), seed_input_shape(width, height, resize),
                                 color, True, normalize)
        x = dp._preprocess(img.copy())
    if x is None:
        return None
    assert x.dtype == np.float32 and x.shape == (1, height, width, 3), (x.dtype, x.shape)
    x = x[0]
    if mean is not None or std is not None:
        m = np.float32(mean if mean is not None else [0.0, 0.0, 0.0])
        s = np.float32(std if std is not None else [1.0, 1.0, 1.0])
        x = (x - m) / s
        assert x.dtype == np.float32
    if layout == "nchw":
        x = np.ascontiguousarray(x.transpose(2, 0, 1))
    elif layout != "nhwc":
        raise ValueError(layout)
    return x


IMAGE_EXTENSIONS = {"jpeg", "jpg", "png", "bmp", "tif", "tiff", "dng", "webp", "mpo"}


def octet_candidates(root: str) -> List[str]:
    """octet's documented listing: recursive, extension match case-insensitive,
    names starting with '.' (files and directories) skipped, symlinked files
    followed (a broken one is listed, and fails), symlinked directories not
    descended; relative '/'-separated paths sorted bytewise."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        # os.walk lists symlinks to directories in dirnames but, with
        # followlinks=False, never descends into them: exactly octet's rule.
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.startswith("."):
                continue
            ext = name.rsplit(".", 1)[1].lower() if "." in name else ""
            if ext not in IMAGE_EXTENSIONS:
                continue
            full = os.path.join(dirpath, name)
            # a broken symlink with an image name is a candidate (that fails);
            # fifos, sockets, ... are not
            if not (os.path.isfile(full) or (os.path.islink(full) and not os.path.exists(full))):
                continue
            out.append(os.path.relpath(full, root).replace(os.sep, "/"))
    return sorted(out, key=lambda p: p.encode("utf-8"))


def seed_listing(root: str) -> List[str]:
    """The seed's own listing (its _get_img_list, unshuffled, relative paths),
    kept for reference / comparison only."""
    dp = DataPreprocessor(root, (32, 32), "bgr", True, True)
    dp._get_img_list()
    return sorted(os.path.relpath(p, root) for p in dp.img_list)


if __name__ == "__main__":
    import sys
    if len(sys.argv) < 3:
        print("usage: seed_reference.py IMAGE_DIR WxH [letterbox|stretch] [bgr|rgb]")
        sys.exit(2)
    root = sys.argv[1]
    w, h = (int(v) for v in sys.argv[2].lower().split("x"))
    resize = sys.argv[3] if len(sys.argv) > 3 else "letterbox"
    color = sys.argv[4] if len(sys.argv) > 4 else "bgr"
    for rel in octet_candidates(root):
        x = octet_expected(os.path.join(root, rel), w, h, resize, color)
        print(f"{rel}\t{'ERROR' if x is None else x.shape}")
