# SPDX-License-Identifier: GPL-3.0-or-later
# What docker-py (Debian's python3-docker) does against Berth as against dockerd: binds through
# containers.run(volumes=...), exec framing and exit codes, commit, docker cp in volumes, the
# build stream's order and refused build options, kill then remove in a loop.
# Usage: sdk_fidelity.py SOCKET SCRATCH-DIR. Prints "ok"; fails with an assertion otherwise.
import os, sys, docker
client = docker.DockerClient(base_url='unix://' + sys.argv[1], version='auto')
shared = sys.argv[2]
os.makedirs(shared, exist_ok=True)
with open(os.path.join(shared, 'in.txt'), 'w') as f:
    f.write('from-host\n')
out = client.containers.run('berth/busybox', ['cat', '/mnt/in.txt'],
                            volumes={shared: {'bind': '/mnt', 'mode': 'ro'}}, remove=True)
assert out == b'from-host\n', out
out = client.containers.run('berth/busybox', ['sh', '-c', 'echo w > /mnt/out.txt'],
                            volumes=[shared + ':/mnt'], remove=True)
assert open(os.path.join(shared, 'out.txt')).read() == 'w\n'
c = client.containers.run('berth/busybox', ['sleep', '300'], detach=True)
both = ['sh', '-c', 'echo out; echo err >&2']
e = client.api.exec_create(c.id, both, tty=True)
out = client.api.exec_start(e['Id'], tty=False)
assert b'out' in out and b'err' in out, out
e = client.api.exec_create(c.id, both, tty=False)
out = client.api.exec_start(e['Id'], tty=True)
assert out.replace(b'\r', b'') in (b'out\nerr\n', b'err\nout\n'), out
assert c.exec_run(['/no/such/program']).exit_code == 127
assert c.exec_run(['/etc']).exit_code == 126
assert c.exec_run(['sh', '-c', 'echo committed > /c.txt']).exit_code == 0
image = c.commit(repository='api/committed', tag='1', message='from the sdk',
                 changes=['CMD ["cat", "/c.txt"]'])
assert 'api/committed:1' in image.tags, image.tags
assert client.containers.run('api/committed:1', remove=True) == b'committed\n'
c.reload()
assert c.status == 'running', c.status
c.kill()
c.remove()
import io, tarfile
def context(dockerfile):
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode='w') as tar:
        info = tarfile.TarInfo('Dockerfile')
        info.size = len(dockerfile)
        tar.addfile(info, io.BytesIO(dockerfile))
    data.seek(0)
    return data
def tar_of(name, text):
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode='w') as tar:
        info = tarfile.TarInfo(name)
        info.size = len(text)
        tar.addfile(info, io.BytesIO(text))
    return data.getvalue()
def read_archive(container, path):
    bits, stat = container.get_archive(path)
    with tarfile.open(fileobj=io.BytesIO(b''.join(bits))) as tar:
        return tar.extractfile(tar.getmembers()[0]).read()
# docker cp into and out of a volume, of a running and of a stopped container.
v = client.containers.run('berth/busybox', ['sleep', '300'], detach=True,
                          volumes={'api-cpvol': {'bind': '/vol', 'mode': 'rw'}})
assert v.put_archive('/vol', tar_of('running.txt', b'in a volume\n'))
assert v.exec_run(['cat', '/vol/running.txt']).output == b'in a volume\n'
assert read_archive(v, '/vol/running.txt') == b'in a volume\n'
v.kill()
assert read_archive(v, '/vol/running.txt') == b'in a volume\n'
assert v.put_archive('/vol', tar_of('stopped.txt', b'while stopped\n'))
out = client.containers.run('berth/busybox', ['cat', '/vol/stopped.txt'], remove=True,
                            volumes={'api-cpvol': {'bind': '/vol', 'mode': 'ro'}})
assert out == b'while stopped\n', out
v.remove()
stream = list(client.api.build(fileobj=context(b'FROM berth/busybox\nRUN echo step\n'),
                               custom_context=True, tag='api/order:1', decode=True))
aux = [i for i, m in enumerate(stream) if 'aux' in m]
built = [i for i, m in enumerate(stream) if m.get('stream', '').startswith('Successfully built')]
assert aux and built and aux[0] < built[0], stream
try:
    client.images.build(fileobj=context(b'FROM berth/busybox\n'), custom_context=True,
                        extra_hosts={'h': '192.0.2.1'})
    assert False, 'extrahosts was accepted'
except docker.errors.APIError as e:
    assert 'extrahosts' in str(e), e
for i in range(50):
    c = client.containers.run('berth/busybox', ['sleep', '60'], detach=True)
    c.kill()
    c.reload()
    assert c.status == 'exited', (i, c.status)
    c.remove()
print('ok')
