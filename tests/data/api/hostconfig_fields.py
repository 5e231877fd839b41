# SPDX-License-Identifier: GPL-3.0-or-later
# Walks the HostConfig fields of the Engine API v1.43: each, sent alone with a value that asks
# for something, is either applied (inspect shows it back) or refused with 400 naming it.
# Usage: hostconfig_fields.py SOCKET. Prints "ok" or one line per field that is neither.
import http.client, json, socket, sys
class Conn(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__('localhost'); self.path = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); self.sock.connect(self.path)
def call(method, url, body=None):
    c = Conn(sys.argv[1]); c.request(method, url, body=json.dumps(body) if body is not None else None,
                                     headers={'Content-Type': 'application/json'})
    r = c.getresponse(); data = r.read(); c.close(); return r.status, data
applied = {'Memory': 1 << 27, 'NanoCpus': 500000000, 'PidsLimit': 50, 'ReadonlyRootfs': True,
           'Init': True, 'AutoRemove': True, 'Privileged': True, 'CapAdd': ['NET_ADMIN'],
           'CapDrop': ['CHOWN'], 'PublishAllPorts': True, 'NetworkMode': 'none',
           'RestartPolicy': {'Name': 'on-failure', 'MaximumRetryCount': 2},
           'LogConfig': {'Type': 'json-file', 'Config': {'max-file': '2'}}}
others = {'BlkioWeight': 300, 'BlkioWeightDevice': [{'Path': '/dev/null', 'Weight': 300}],
          'BlkioDeviceReadBps': [{'Path': '/dev/null', 'Rate': 1024}],
          'BlkioDeviceWriteBps': [{'Path': '/dev/null', 'Rate': 1024}],
          'BlkioDeviceReadIOps': [{'Path': '/dev/null', 'Rate': 10}],
          'BlkioDeviceWriteIOps': [{'Path': '/dev/null', 'Rate': 10}],
          'CgroupParent': '/custom', 'CgroupnsMode': 'private', 'Cgroup': 'container:x',
          'ContainerIDFile': '/tmp/cid', 'CpuCount': 1, 'CpuPercent': 50, 'CpuRealtimePeriod': 1000,
          'CpuRealtimeRuntime': 100, 'CpuShares': 512, 'CpusetCpus': '0', 'CpusetMems': '0',
          'DeviceCgroupRules': ['c 1:3 rwm'], 'DeviceRequests': [{'Count': 1}],
          'Devices': [{'PathOnHost': '/dev/null', 'PathInContainer': '/dev/xnull',
                       'CgroupPermissions': 'rwm'}],
          'Dns': ['192.0.2.1'], 'DnsOptions': ['ndots:2'], 'DnsSearch': ['example.com'],
          'ExtraHosts': ['h:192.0.2.2'], 'GroupAdd': ['audio'], 'IOMaximumBandwidth': 1000,
          'IOMaximumIOps': 10, 'IpcMode': 'host', 'Isolation': 'process', 'KernelMemory': 1 << 26,
          'KernelMemoryTCP': 1 << 26, 'Links': ['other:alias'], 'MaskedPaths': ['/proc/x'],
          'MemoryReservation': 1 << 26, 'MemorySwappiness': 10, 'OomKillDisable': True,
          'OomScoreAdj': 100, 'PidMode': 'host', 'ReadonlyPaths': ['/x'], 'Runtime': 'runsc',
          'ShmSize': 1 << 27, 'StorageOpt': {'size': '1G'},
          'Sysctls': {'net.ipv4.ip_forward': '1'}, 'Tmpfs': {'/run': 'rw'}, 'UTSMode': 'host',
          'Ulimits': [{'Name': 'nofile', 'Soft': 100, 'Hard': 100}], 'UsernsMode': 'host',
          'VolumeDriver': 'other', 'VolumesFrom': ['x'], 'Annotations': {'a': 'b'},
          'MemorySwap': 1 << 28}
problems = []
for field, value in list(applied.items()) + list(others.items()):
    status, data = call('POST', '/v1.43/containers/create',
                        {'Image': 'berth/busybox', 'Cmd': ['true'], 'HostConfig': {field: value}})
    if status == 400:
        if field.encode() not in data:
            problems.append('%s: refused without naming it: %s' % (field, data))
        continue
    if status != 201:
        problems.append('%s: status %d %s' % (field, status, data)); continue
    cid = json.loads(data)['Id']
    status, data = call('GET', '/v1.43/containers/%s/json' % cid)
    shown = json.loads(data)['HostConfig'].get(field)
    if shown != value:
        problems.append('%s: accepted, inspect shows %r' % (field, shown))
    call('DELETE', '/v1.43/containers/%s?force=1' % cid)
print('\n'.join(problems) if problems else 'ok')
