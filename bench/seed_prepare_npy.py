#!/usr/bin/python3
# Faithful copy of the seed script: LaunchX documentation, section "Convert the
# dataset to NumPy for calibration" (/work/shared/seed/000_c44395ab58c953e1.txt),
# used by bench/prepare_vs_seed.py as the baseline that `octet prepare` is timed
# against.  Everything above the __main__ block is the seed's code unchanged
# (only the doc's 3-space block indent removed).  The one change: the constants of
# its __main__ block come from argv instead of being edited in the file:
#
#   seed_prepare_npy.py IMG_FILE_DIR_PATH SAVE_FILE_PATH [--size WxH]
#       [--padding | --no-padding] [--color-mode bgr|rgb] [--normalize | --no-normalize]
#
# Defaults are the seed's own (padding=True, color_mode="bgr", normalize=True),
# except --size, which the seed hard-codes as input_shape = (512, 512); --size WxH
# sets input_shape = (W, H) as the seed's file name {count}x{w}x{h}.npy reads it.
# Like the seed, it shuffles with the unseeded `random.shuffle` and writes
# error_files.txt into the current directory when a file fails.

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

def save_npy_file(array, save_file_name: str):
   np.save(save_file_name, array)

def print_saved_npy_file_shape(save_file_name: str):
   array = np.load(save_file_name)
   print(f"Saved npy array shape is {array.shape}")

def save_txt_file(lines: List[str], file_name: str):
   with open(file_name, "w") as file:
      for line in lines:
            file.write(line + "\n")
      file.close()

def print_error_files(error_files: List[str], file_name: str):
   print(f"Please check files in {file_name}.")
   print("Error files:", error_files)

def save_error_files(
      error_files: List[str],
      file_name: str = "error_files.txt"):
   if len(error_files) != 0:
      save_txt_file(error_files, file_name)
   print_error_files(error_files, file_name)

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

   def _load_dataset(self,):
      error_files = []
      valid_images = []

      def is_valid_image(image):
            return image is not None

      for f in self.img_list:
            try:
               img = self._preprocess(cv2.imread(f))
               if is_valid_image(img):
                  valid_images.append(img)
               else:
                  error_files.append(f)
            except Exception as e:
               error_files.append(f)
      try:
            result_array = np.concatenate(valid_images, axis=0)
      except:
            import pdb; pdb.set_trace()
      return result_array, error_files

   def _get_save_file_name(self,):
      self._get_img_list()
      count = len(self.img_list)
      w = self.input_shape[0]
      h = self.input_shape[1]
      return f"{count}x{w}x{h}.npy"

   def save_dataset_as_npy(self, save_file_path: str):
      save_file_name = self._get_save_file_name()
      save_file_path = os.path.join(save_file_path, save_file_name)
      result_array, error_files = self._load_dataset()
      save_npy_file(result_array, save_file_path)
      print_saved_npy_file_shape(save_file_path)
      save_error_files(error_files)

if __name__ == "__main__":
    import argparse

    _parser = argparse.ArgumentParser(description="The seed's prepare_npy_file.py with argv constants")
    _parser.add_argument("img_file_dir_path")
    _parser.add_argument("save_file_path")
    _parser.add_argument("--size", default="512x512", help="WxH, the seed's input_shape (default 512x512)")
    _parser.add_argument("--padding", action=argparse.BooleanOptionalAction, default=True)
    _parser.add_argument("--color-mode", choices=["bgr", "rgb"], default="bgr")
    _parser.add_argument("--normalize", action=argparse.BooleanOptionalAction, default=True)
    _args = _parser.parse_args()
    _w, _h = (int(v) for v in _args.size.lower().split("x"))

    img_file_dir_path = _args.img_file_dir_path
    padding = _args.padding
    color_mode = _args.color_mode
    input_shape = (_w, _h)
    normalize = _args.normalize
    save_file_path = _args.save_file_path
    data_preprocessor = DataPreprocessor(
        img_file_dir_path,
        input_shape,
        color_mode,
        padding,
        normalize
    )
    data_preprocessor.save_dataset_as_npy(save_file_path)
