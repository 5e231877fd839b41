#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Builds a small multi-layer demo image on top of the starter image, for screenshots.

  screenshot-image.py STARTER.tar OUT.tar

STARTER.tar is `berthctl save --format docker berth/busybox:latest`; OUT.tar is a
docker-archive of demo/webapp:1.0 that shares the starter's layer and adds three: an app
with config files, a build cache that the last layer deletes again (wasted space), and a
change to /etc/passwd (a modification). Standard library only; deterministic.
"""
import hashlib
import io
import json
import sys
import tarfile

MTIME = 1717200000


def layer(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, kind, data in entries:
            info = tarfile.TarInfo(name)
            info.mtime = MTIME
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            else:
                info.mode = 0o644
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def main(starter, out):
    with tarfile.open(starter) as src:
        manifest = json.load(src.extractfile("manifest.json"))[0]
        config = json.load(src.extractfile(manifest["Config"]))
        base_layers = [(name, src.extractfile(name).read()) for name in manifest["Layers"]]
    passwd = (b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"
              b"web:x:1000:1000:web server:/app:/bin/sh\n")
    app_files = [("app", "dir", b""), ("app/static", "dir", b"")]
    app_files.append(("app/config.toml", "file",
                      b"[server]\nlisten = \"0.0.0.0:8080\"\nworkers = 4\n\n[log]\nlevel = \"info\"\n"))
    app_files.append(("app/README.md", "file",
                      b"# webapp\n\nA tiny demo application for Berth's screenshots.\n"))
    for i in range(12):
        app_files.append((f"app/static/page{i:02}.html", "file",
                          (f"<html><body><h1>Page {i}</h1></body></html>\n" * (20 + i)).encode()))
    new_layers = [
        ("COPY app/ /app/", layer(app_files)),
        ("RUN make build  # leaves a cache behind",
         layer([("var", "dir", b""), ("var/cache", "dir", b""),
                ("var/cache/build.bin", "file", bytes((i * 7) % 256 for i in range(600_000))),
                ("var/cache/objects.db", "file", b"x" * 250_000)])),
        ("RUN rm -rf /var/cache/build.bin && adduser web",
         layer([("etc", "dir", b""), ("etc/passwd", "file", passwd),
                ("var", "dir", b""), ("var/cache", "dir", b""),
                ("var/cache/.wh.build.bin", "file", b"")])),
    ]
    diff_ids = list(config["rootfs"]["diff_ids"])
    history = list(config.get("history", []))
    members = {}
    layer_names = []
    for name, data in base_layers:
        layer_names.append(name)
        members[name] = data
    for created_by, data in new_layers:
        digest = hashlib.sha256(data).hexdigest()
        name = f"{digest}/layer.tar"
        layer_names.append(name)
        members[name] = data
        diff_ids.append("sha256:" + digest)
        history.append({"created": "2024-06-01T00:00:00Z", "created_by": created_by})
    history.append({"created": "2024-06-01T00:00:00Z", "created_by": "CMD [\"/app/run\"]",
                    "empty_layer": True})
    config["rootfs"]["diff_ids"] = diff_ids
    config["history"] = history
    config["created"] = "2024-06-01T00:00:00Z"
    config_bytes = json.dumps(config, separators=(",", ":")).encode()
    config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
    members[config_name] = config_bytes
    members["manifest.json"] = json.dumps(
        [{"Config": config_name, "RepoTags": ["demo/webapp:1.0"], "Layers": layer_names}]).encode()
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = MTIME
            tar.addfile(info, io.BytesIO(data))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
