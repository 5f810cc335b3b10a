#!/usr/bin/env bash
# Boots Debian 12's Linux 6.1 kernel under QEMU (TCG, no KVM needed; about
# 10 s a boot) with a busybox initramfs built here, and prints what the
# kernel reports: min_free_kbytes, /proc/zoneinfo and, when WRITE_MIB is
# given, kmem tracepoint counts for one tmpfs file of that size written
# with dd and then removed (truncated to nothing). The conformance suite (npm run conformance)
# runs it; it is also a tool of its own:
#   test/kernel/boot-kernel61.sh MEM CPUS [WRITE_MIB]     e.g. 1G 4 100
# Needs Debian's qemu-system-x86, busybox-static and cpio. The kernel
# package (linux-image-6.1.0-*-amd64) is fetched with apt-get download, not
# installed, and kept in $PCPLAB_KERNEL_CACHE (default
# ~/.cache/pcplab/kernel61) between runs.
#
# The kernel boots with nokaslr: with physical KASLR the kernel image lands
# in DMA32 or Normal at random on machines above 4 GiB, and the managed
# pages of each zone (so the watermarks) change from boot to boot.
#
# The file's window is controlled so that it counts the file's pages and
# little else, from a known start:
# - the shell is pinned to CPU 0, so dd and the truncation share one pcp;
# - before the window, pcp high is lowered to four batches
#   (percpu_pagelist_high_fraction) while a 4 MiB file is written and
#   truncated, which drains CPU 0's lists to under four batches; high is
#   then restored, as the suite reads back in /proc/zoneinfo;
# - dd writes 4 KiB blocks, so its own buffer is one page, not 256 freed
#   when it exits;
# - the file is truncated by the shell itself (: > file), so no process
#   exits in the window: an exit frees an order-1 pgd, and any free of
#   order 1 to 3 while frees run makes free_unref_page_commit() drain the
#   whole list (free_high);
# - the xarray's radix_tree_node slab keeps its empty slabs (min_partial),
#   for the same reason: its slabs are order 1.
set -euo pipefail
mem=${1:?MEM, e.g. 1G}; cpus=${2:?CPUS}; write=${3:-0}
case "$mem$cpus$write" in *[!0-9GM]*) echo "boot-kernel61: MEM like 1G or 512M, CPUS and WRITE_MIB numbers" >&2; exit 2;; esac
cache=${PCPLAB_KERNEL_CACHE:-$HOME/.cache/pcplab/kernel61}
mkdir -p "$cache"
kernel=$(ls "$cache"/vmlinuz-6.1* 2>/dev/null | head -1 || true)
if [ -z "$kernel" ]; then
  pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-6.1/{print $2; exit}')
  [ -n "$pkg" ] || { echo "boot-kernel61: apt knows no linux-image-6.1 package (run apt-get update?)" >&2; exit 3; }
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download "$pkg" >/dev/null 2>&1 && dpkg -x ./"$pkg"_*.deb img)
  cp "$tmp"/img/boot/vmlinuz-6.1* "$cache"/
  rm -rf "$tmp"
  kernel=$(ls "$cache"/vmlinuz-6.1* | head -1)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/rootfs/bin "$work"/rootfs/proc "$work"/rootfs/sys "$work"/rootfs/dev
cp "$(command -v busybox)" "$work"/rootfs/bin/
for a in sh mount cat echo poweroff grep sed dd rm mkdir uname taskset; do ln -sf busybox "$work"/rootfs/bin/$a; done
cat > "$work"/rootfs/init <<INIT
#!/bin/sh
mount -t proc proc /proc
mount -t devtmpfs dev /dev
mount -t sysfs sys /sys
mount -t tracefs nodev /sys/kernel/tracing
echo "==KERNEL \$(uname -r) \$(cat /proc/version | sed 's/.*Debian //; s/ .*//')"
echo "==MIN_FREE_KBYTES \$(cat /proc/sys/vm/min_free_kbytes)"
echo "==ZONEINFO"; cat /proc/zoneinfo; echo "==ZONEINFO_END"
if [ "$write" != 0 ]; then
  mkdir -p /t && mount -t tmpfs -o size=$((write * 2))m,huge=never tmpfs /t
  T=/sys/kernel/tracing
  echo 0 > \$T/tracing_on
  echo 65536 > \$T/buffer_size_kb
  for e in mm_page_alloc_zone_locked mm_page_pcpu_drain mm_page_free_batched; do echo 1 > \$T/events/kmem/\$e/enable; done
  taskset -p 1 \$\$ >/dev/null
  echo 1000000 > /sys/kernel/slab/radix_tree_node/min_partial
  echo 1000000000 > /proc/sys/vm/percpu_pagelist_high_fraction
  dd if=/dev/zero of=/t/prime bs=4k count=1024 2>/dev/null
  : > /t/prime
  echo 0 > /proc/sys/vm/percpu_pagelist_high_fraction
  echo "==ZONEINFO_BEFORE"; while read -r l; do echo "\$l"; done < /proc/zoneinfo; echo "==ZONEINFO_BEFORE_END"
  echo > \$T/trace
  echo 1 > \$T/tracing_on
  dd if=/dev/zero of=/t/x bs=4k count=$((write * 256)) 2>/dev/null
  : > /t/x
  echo 0 > \$T/tracing_on
  echo "==REFILL_PAGES \$(grep -c 'percpu_refill=1' \$T/trace)"
  echo "==PCPU_DRAIN_PAGES \$(grep -c mm_page_pcpu_drain \$T/trace)"
  echo "==FREE_BATCHED_PAGES \$(grep -c mm_page_free_batched \$T/trace)"
  echo "==TRACE_LOST \$(cat \$T/per_cpu/cpu*/stats | grep -E '^(overrun|dropped events):' | sed 's/.*: //' | paste -sd+ | sed 's/^$/0/')"
fi
echo "==END"
poweroff -f
INIT
chmod +x "$work"/rootfs/init
(cd "$work"/rootfs && find . | cpio -o -H newc 2>/dev/null | gzip > "$work"/initrd.gz)
timeout 900 qemu-system-x86_64 -accel tcg,thread=multi -m "$mem" -smp "$cpus" \
  -kernel "$kernel" -initrd "$work"/initrd.gz -append "console=ttyS0 quiet panic=-1 nokaslr" \
  -nographic -no-reboot 2>&1 | tr -d '\r' | sed -n '/==KERNEL/,/==END/p' | sed 's/.*==KERNEL/==KERNEL/'
