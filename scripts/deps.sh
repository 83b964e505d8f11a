#!/usr/bin/env bash
# deps.sh - installs, with apt-get, the Debian 12 packages kuska needs to
# build, test and run its demo, when any is missing. Run as root.
# (chromium, poppler-utils and a font: the report's test renders it in a
# headless browser, prints it to PDF and measures its pages with pdfinfo
# and pdftotext; lmdb-utils: the .deb recommends it and OPERATIONS §7
# backs up with its mdb_copy.)
set -eu

PACKAGES="build-essential cmake pkg-config clang libclang-rt-14-dev
	libzmq3-dev libprotobuf-c-dev protobuf-c-compiler liblmdb-dev lmdb-utils
	libsodium-dev libcmocka-dev libinih-dev libjansson-dev libsystemd-dev
	libgsl-dev libglpk-dev
	python3 python3-scipy tcpdump groff man-db systemd valgrind faketime
	chromium poppler-utils fonts-dejavu-core bash-completion
	dpkg-dev file lintian"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps.sh: missing packages:$missing (run as root to install)" >&2
		exit 1
	fi
	echo "deps.sh: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
