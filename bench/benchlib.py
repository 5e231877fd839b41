#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for bench/image-store.sh (python3 standard library only).

  benchlib.py mkimage LAYOUT_DIR       write the 5-layer OCI image layout "bench" (see below)
  benchlib.py run OUT_FILE -- CMD...   run CMD, append "wall user sys maxrss_kib rc" to OUT_FILE
  benchlib.py median FILE COLUMN       median of a column of a `run` output file
  benchlib.py image-id LAYOUT_DIR      the image's config digest (Docker's image ID)
  benchlib.py version                  the generator's version (the layout's stamp)
  benchlib.py probe OUT_FILE -- CMD... run CMD (the GUI with BERTH_BENCH set), read its
                                       "name value" lines; "first-paint"/"data-paint" carry a
                                       CLOCK_MONOTONIC time, stored as ms since the launch;
                                       appends "name value ..." to OUT_FILE
  benchlib.py value FILE NAME          median of NAME's values in a `probe` output file
  benchlib.py cpu PID SECONDS          CPU time (user + sys) of PID over SECONDS, as % of a core

The image is generated from a fixed seed, so its digests are the same on every machine and
every run (the "random" data is a seeded pseudo-random stream: incompressible like
/dev/urandom, but reproducible). Layers are written straight as gzip-compressed tar blobs
(no rootfs on disk, no umoci round trips), two at a time.

  layer 1  base: ~20k small files (100 B - 8 KiB, text-like) in 300 directories, a few
           symlinks and a hardlink
  layer 2  5 large incompressible files, 250 MiB in all
  layer 3  modifications: overwrites 600 small files and one large file (20 MiB), deletes a
           directory, 200 files and makes one directory opaque (OCI .wh. whiteouts), adds files
  layer 4  one highly compressible 60 MiB text file
  layer 5  a small config layer (a few files under /etc, a symlink)
"""

import gzip
import hashlib
import io
import json
import os
import random
import resource
import sys
import tarfile
import time
from concurrent.futures import ProcessPoolExecutor

GENERATOR_VERSION = "1"
SEED = 20240601
MTIME = 1717200000  # 2024-06-01T00:00:00Z
CREATED = "2024-06-01T00:00:00Z"
MIB = 1 << 20

TOP_DIRS = 20          # usr/lib/bench/pNN
SUB_DIRS = 15          # .../pNN/sNN   -> 300 leaf directories
FILES_PER_DIR = 67     # -> 20100 small files
LARGE_SIZES = [80 * MIB, 60 * MIB, 50 * MIB, 40 * MIB, 20 * MIB]

WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike "
         "november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee "
         "zulu layer image container overlay snapshot digest manifest config berth engine "
         "0 1 2 3 4 5 6 7 8 9 { } ( ) ; = : / -").split()


def text_pool(seed, size):
    """Pseudo-text: compresses about 3:1 with gzip, like source files and docs."""
    rng = random.Random(seed)
    out = []
    n = 0
    while n < size:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 14))) + "\n"
        out.append(line)
        n += len(line)
    return "".join(out).encode()[:size]


def small_files(seed):
    """[(path, size, offset into the text pool)] of layer 1, deterministic."""
    rng = random.Random(seed)
    files = []
    for p in range(TOP_DIRS):
        for s in range(SUB_DIRS):
            for f in range(FILES_PER_DIR):
                size = int(min(8192, max(100, rng.lognormvariate(7.6, 0.8))))
                ext = rng.choice([".py", ".txt", ".json", ".h", ".conf", ".so.txt"])
                files.append((f"usr/lib/bench/p{p:02d}/s{s:02d}/f{f:03d}{ext}", size,
                              rng.randrange(0, 4 * MIB - 8192)))
    return files


class RandomReader:
    """A deterministic incompressible byte stream of a given length."""

    def __init__(self, seed, size):
        self.rng = random.Random(seed)
        self.left = size

    def read(self, n=-1):
        if n is None or n < 0 or n > self.left:
            n = self.left
        self.left -= n
        return self.rng.randbytes(n)


class HashingWriter(io.RawIOBase):
    def __init__(self, raw):
        self.raw = raw
        self.sha = hashlib.sha256()
        self.size = 0

    def writable(self):
        return True

    def write(self, b):
        self.sha.update(b)
        self.size += len(b)
        self.raw.write(b)
        return len(b)


class LayerWriter:
    """Writes a gzip-compressed tar blob; computes its digest and diffID on the way."""

    def __init__(self, path):
        self.path = path
        self.out = open(path, "wb")
        self.compressed = HashingWriter(self.out)
        self.gz = gzip.GzipFile(fileobj=self.compressed, mode="wb", compresslevel=6, mtime=0,
                                filename="")
        self.uncompressed = HashingWriter(self.gz)
        self.tar = tarfile.open(fileobj=self.uncompressed, mode="w|", format=tarfile.PAX_FORMAT,
                                bufsize=1 << 20)
        self.tar.copybufsize = 1 << 20
        self.dirs = set()

    def _info(self, name, type_, mode, size=0):
        ti = tarfile.TarInfo(name)
        ti.type = type_
        ti.mode = mode
        ti.size = size
        ti.mtime = MTIME
        ti.uid = ti.gid = 0
        ti.uname = ti.gname = "root"
        return ti

    def dir(self, name, mode=0o755):
        """Adds `name` and its parents (once each), like layer tars made by docker/buildah."""
        parts = name.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in self.dirs:
                self.dirs.add(d)
                self.tar.addfile(self._info(d + "/", tarfile.DIRTYPE, mode))

    def file(self, name, data, mode=0o644):
        self.dir(os.path.dirname(name))
        self.tar.addfile(self._info(name, tarfile.REGTYPE, mode, len(data)), io.BytesIO(data))

    def stream(self, name, size, reader, mode=0o644):
        self.dir(os.path.dirname(name))
        self.tar.addfile(self._info(name, tarfile.REGTYPE, mode, size), reader)

    def symlink(self, name, target):
        self.dir(os.path.dirname(name))
        ti = self._info(name, tarfile.SYMTYPE, 0o777)
        ti.linkname = target
        self.tar.addfile(ti)

    def hardlink(self, name, target):
        self.dir(os.path.dirname(name))
        ti = self._info(name, tarfile.LNKTYPE, 0o644)
        ti.linkname = target
        self.tar.addfile(ti)

    def whiteout(self, path):
        d, base = os.path.split(path)
        self.file(f"{d}/.wh.{base}", b"")

    def opaque(self, d):
        self.dir(d)
        self.file(f"{d}/.wh..wh..opq", b"")

    def close(self):
        self.tar.close()
        self.gz.close()
        self.out.close()
        return {
            "digest": "sha256:" + self.compressed.sha.hexdigest(),
            "size": self.compressed.size,
            "diff_id": "sha256:" + self.uncompressed.sha.hexdigest(),
            "uncompressed": self.uncompressed.size,
        }


def layer1(w):
    pool = text_pool(SEED + 1, 4 * MIB)
    for path, size, off in small_files(SEED):
        w.file(path, pool[off:off + size])
    w.symlink("usr/lib/bench/current", "p00")
    w.symlink("usr/lib/bench/p01/latest.py", "s00/f000.py")
    target = next(p for p, _, _ in small_files(SEED) if p.startswith("usr/lib/bench/p02/s00/f000"))
    w.hardlink("usr/lib/bench/p02/s00/hardlink-of-f000", target)
    return "COPY rootfs/ / # ~20k small files"


def layer2(w):
    for i, size in enumerate(LARGE_SIZES):
        w.stream(f"opt/bench/data/blob-{i}.bin", size, RandomReader(SEED + 100 + i, size))
    return "ADD data/ /opt/bench/data/ # 250 MiB incompressible"


def layer3(w):
    rng = random.Random(SEED + 3)
    files = small_files(SEED)
    pool = text_pool(SEED + 33, 4 * MIB)
    deleted_dir = "usr/lib/bench/p03/s07"
    opaque_dir = "usr/lib/bench/p05/s02"
    candidates = [f for f in files
                  if not f[0].startswith(deleted_dir + "/") and not f[0].startswith(opaque_dir + "/")]
    picked = rng.sample(range(len(candidates)), 800)
    modified = sorted(candidates[i] for i in picked[:600])
    removed = sorted(candidates[i][0] for i in picked[600:])
    # Entries in path order, as tar tools write them.
    entries = [(p, "modify", size) for p, size, _ in modified]
    entries += [(p, "delete", 0) for p in removed]
    entries.append((deleted_dir, "delete", 0))
    entries.sort()
    for path, what, size in entries:
        if what == "modify":
            off = rng.randrange(0, 4 * MIB - 8192)
            w.file(path, pool[off:off + min(8192, size + rng.randint(-50, 200))])
        else:
            w.whiteout(path)
    w.opaque(opaque_dir)
    for i in range(10):
        off = rng.randrange(0, 4 * MIB - 8192)
        w.file(f"{opaque_dir}/new{i:02d}.txt", pool[off:off + 2000])
    w.stream("opt/bench/data/blob-4.bin", 20 * MIB, RandomReader(SEED + 200, 20 * MIB))
    return "RUN update.sh # modify 600 files + 20 MiB blob, whiteouts"


def layer4(w):
    para = (b"Berth is a native Qt 6 desktop container manager whose engine runs inside the "
            b"application: an image layer store, an overlay-filesystem runtime and a registry "
            b"client. No daemon, no VM.\n")
    size = 60 * MIB
    data = (para * (size // len(para) + 1))[:size]
    w.file("usr/share/doc/bench/corpus.txt", data)
    return "COPY corpus.txt /usr/share/doc/bench/ # 60 MiB compressible"


def layer5(w):
    w.file("etc/bench/app.conf", b"[server]\nport = 8080\nworkers = 4\nlog = info\n")
    w.file("etc/bench/config.json", json.dumps({"name": "bench", "layers": 5}).encode() + b"\n")
    w.file("etc/bench/motd", b"Welcome to the Berth benchmark image\n")
    w.file("usr/local/bin/bench-entrypoint", b"#!/bin/sh\nexec \"$@\"\n", 0o755)
    w.symlink("etc/bench/current.conf", "app.conf")
    return "COPY config/ /etc/bench/"


LAYERS = [layer1, layer2, layer3, layer4, layer5]


def build_layer(args):
    index, blobs = args
    tmp = os.path.join(blobs, f".tmp-layer{index}")
    w = LayerWriter(tmp)
    created_by = LAYERS[index](w)
    info = w.close()
    final = os.path.join(blobs, info["digest"].split(":")[1])
    os.replace(tmp, final)
    info["created_by"] = created_by
    info["path"] = final
    return info


def put_blob(blobs, data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, digest), "wb") as f:
        f.write(data)
    return "sha256:" + digest, len(data)


def mkimage(layout):
    blobs = os.path.join(layout, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)
    t0 = time.time()
    # Largest first so two workers finish together.
    order = [1, 0, 2, 3, 4]
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = dict(zip(order, pool.map(build_layer, [(i, blobs) for i in order])))
    layers = [results[i] for i in range(len(LAYERS))]
    config = {
        "created": CREATED,
        "architecture": "amd64",
        "os": "linux",
        "config": {
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Entrypoint": ["/usr/local/bin/bench-entrypoint"],
            "Cmd": ["/bin/sh"],
            "WorkingDir": "/",
            "Labels": {"org.opencontainers.image.title": "berth bench image"},
        },
        "rootfs": {"type": "layers", "diff_ids": [l["diff_id"] for l in layers]},
        "history": [{"created": CREATED, "created_by": l["created_by"]} for l in layers],
    }
    cdigest, csize = put_blob(blobs, json.dumps(config, indent=2).encode())
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": cdigest, "size": csize},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": l["digest"], "size": l["size"]} for l in layers],
    }
    mdigest, msize = put_blob(blobs, json.dumps(manifest, indent=2).encode())
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": mdigest, "size": msize,
            # umoci and skopeo address the image as LAYOUT:bench; containerd, podman and Berth
            # name it from io.containerd.image.name.
            "annotations": {"org.opencontainers.image.ref.name": "bench",
                            "io.containerd.image.name": "docker.io/library/bench:latest"},
        }],
    }
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump(index, f, indent=2)
    with open(os.path.join(layout, "layers.txt"), "w") as f:
        for l in layers:
            f.write(l["path"] + "\n")
    print(f"mkimage: config {cdigest}, manifest {mdigest}, {time.time() - t0:.1f} s")
    for i, l in enumerate(layers, 1):
        print(f"  layer {i}: {l['size'] / MIB:7.1f} MiB gz, {l['uncompressed'] / MIB:7.1f} MiB tar "
              f" {l['digest'][:19]}  {l['created_by']}")
    total = sum(l["uncompressed"] for l in layers)
    print(f"  total: {sum(l['size'] for l in layers) / MIB:.1f} MiB compressed, "
          f"{total / MIB:.1f} MiB uncompressed")


def image_id(layout):
    """The config digest (Docker's image ID) of the layout's first image."""
    blobs = os.path.join(layout, "blobs", "sha256")
    with open(os.path.join(layout, "index.json")) as f:
        mdigest = json.load(f)["manifests"][0]["digest"]
    with open(os.path.join(blobs, mdigest.split(":")[1])) as f:
        return json.load(f)["config"]["digest"]


def run(out, cmd):
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    wall = time.monotonic() - t0
    rc = os.waitstatus_to_exitcode(status)
    with open(out, "a") as f:
        f.write(f"{wall:.3f} {ru.ru_utime:.3f} {ru.ru_stime:.3f} {ru.ru_maxrss} {rc}\n")
    return rc


def median(path, column):
    values = sorted(float(l.split()[column]) for l in open(path) if l.strip())
    if not values:
        return "nan"
    n = len(values)
    m = values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
    return f"{m:.3f}"


def probe(out, cmd, timeout=300):
    import subprocess
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    pairs = []
    try:
        for line in proc.stdout:
            parts = line.split()
            if len(parts) != 2:
                print(line, end="", file=sys.stderr)
                continue
            name, value = parts
            if name in ("first-paint", "data-paint"):
                value = f"{(float(value) - t0) * 1000:.1f}"
            pairs.append(f"{name} {value}")
            if time.monotonic() - t0 > timeout:
                break
    finally:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    with open(out, "a") as f:
        f.write(" ".join(pairs) + "\n")
    return 0 if pairs else 1


def value(path, name):
    values = []
    for line in open(path):
        parts = line.split()
        for k, v in zip(parts[0::2], parts[1::2]):
            if k == name:
                values.append(float(v))
    if not values:
        return "nan"
    values.sort()
    n = len(values)
    m = values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
    return f"{m:.1f}"


def cpu_percent(pid, seconds):
    def ticks():
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    hz = os.sysconf("SC_CLK_TCK")
    t0, c0 = time.monotonic(), ticks()
    time.sleep(seconds)
    t1, c1 = time.monotonic(), ticks()
    return f"{(c1 - c0) / hz / (t1 - t0) * 100:.2f}"


def main(argv):
    if len(argv) == 3 and argv[1] == "mkimage":
        mkimage(argv[2])
    elif len(argv) >= 5 and argv[1] == "run" and argv[3] == "--":
        return run(argv[2], argv[4:])
    elif len(argv) == 4 and argv[1] == "median":
        print(median(argv[2], int(argv[3])))
    elif len(argv) == 3 and argv[1] == "image-id":
        print(image_id(argv[2]))
    elif len(argv) >= 5 and argv[1] == "probe" and argv[3] == "--":
        return probe(argv[2], argv[4:])
    elif len(argv) == 4 and argv[1] == "value":
        print(value(argv[2], argv[3]))
    elif len(argv) == 4 and argv[1] == "cpu":
        print(cpu_percent(int(argv[2]), float(argv[3])))
    elif len(argv) == 2 and argv[1] == "version":
        print(GENERATOR_VERSION)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
