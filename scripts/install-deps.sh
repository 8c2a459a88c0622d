#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# Install what libtownorg needs to build and test on Debian 12, and the
# zh_CN.UTF-8 locale for Chinese messages.  Runs apt-get only as root and
# only for packages that are missing.
set -euo pipefail
PKGS=(build-essential autoconf automake libtool autopoint gettext pkg-config
      check libjansson-dev libcsv-dev libsqlite3-dev nettle-dev zlib1g-dev
      libxlsxwriter-dev libminizip-dev libexpat1-dev
      swig python3 python3-dev python3-pytest python3-pandas python3-matplotlib python3-openpyxl
      valgrind clang libclang-rt-14-dev locales graphviz fonts-noto-cjk
      doxygen jupyter-nbconvert python3-ipykernel
      libgraphviz-dev chromium
      debhelper dh-python devscripts fakeroot lintian bash-completion dpkg-dev man-db)
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
SUDO=
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! locale -a 2>/dev/null | grep -qi '^zh_CN.utf8$'; then
	$SUDO sed -i 's/^# *zh_CN.UTF-8 UTF-8/zh_CN.UTF-8 UTF-8/' /etc/locale.gen
	$SUDO locale-gen >/dev/null
fi
