#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for TerraSeg's tests: a JDK 17 and Maven to build, GDAL to
# cross-check GeoTIFFs, and Debian's PyTorch/torchvision to make the PyTorch reference fixtures.
set -euo pipefail
missing=()
command -v javac >/dev/null || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || missing+=(maven)
command -v gdalinfo >/dev/null || missing+=(gdal-bin)
/usr/bin/python3 -c 'import osgeo.gdal' 2>/dev/null || missing+=(python3-gdal)
/usr/bin/python3 -c 'import torch' 2>/dev/null || missing+=(python3-torch)
/usr/bin/python3 -c 'import torchvision' 2>/dev/null || missing+=(python3-torchvision)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [[ $(id -u) == 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
