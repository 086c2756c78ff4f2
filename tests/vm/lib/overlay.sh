#!/bin/bash
# overlay.sh DIR PORT [OPERATOR_PUBKEY]: the TEST-ONLY files the VM test lays over its image after prepare-capture
# (build-linode-image --overlay): the agent config pointing at the test's endpoint, and a demo
# service that needs a secret, and (with OPERATOR_PUBKEY) a rebuild section whose command records
# the revision. Never part of an image anyone uploads.
set -euo pipefail
dir=${1:?usage: overlay.sh DIR PORT [OPERATOR_PUBKEY]} port=${2:?usage: overlay.sh DIR PORT} operator=${3:-}

install -d "$dir/etc/vps-agent/secrets" "$dir/etc/systemd/system/multi-user.target.wants"
cat > "$dir/etc/vps-agent/config.yaml" <<EOF
# VM test config (tests/vm/lib/overlay.sh), replacing the image's Linode default.
console:
  path: /dev/ttyS0
enrollment:
  # The endpoint is the test's 'vps-enroll serve' on 127.0.0.1:$port inside the test's own network
  # namespace; QEMU user networking (slirp) maps the guest's 10.0.2.2 to that loopback. To the
  # guest 10.0.2.2 is not loopback, so plain http needs allow_insecure_http: TLS would prove
  # nothing more here (the traffic never leaves the namespace, and publications are signed by
  # the host key and operator requests by the operator key either way).
  endpoint: http://10.0.2.2:$port
  allow_insecure_http: true
  retry: {initial_delay: 1s, max_delay: 5s, attempt_timeout: 10s, overall_timeout: 1h}
metadata:
  enabled: false          # no Linode metadata service in QEMU: the instance id comes from DMI
secrets:
  # Bounds vps-secrets-wait.service (vps-secrets.target) only: the story approves the host after
  # it gave up, and demo-app, gated on its own secret, must still start.
  timeout: 1m
  files:
    - name: demo-secret
      source: /etc/vps-agent/secrets/demo-secret.age
      owner: daemon
      group: daemon
      mode: "0440"
      restart_units: [demo-app.service]
EOF

# The dependent service: named in demo-secret's restart_units, so vps-agent-generator gates it on
# that secret (After=vps-secrets.service, ExecCondition=vps-agent secrets --gate): skipped until
# the secret is active, then started by vps-secrets. It records when and what it saw (owner, mode,
# filesystem and a hash of the secret, never the secret itself), one line per start in starts.
cat > "$dir/etc/systemd/system/demo-app.service" <<'EOF'
[Unit]
Description=VM test: demo app that needs /run/vps-secrets/demo-secret

[Service]
Type=oneshot
RemainAfterExit=yes
User=daemon
RuntimeDirectory=demo-app
RuntimeDirectoryPreserve=yes
StandardOutput=journal+console
ExecStart=/bin/sh -c 's=/run/vps-secrets/demo-secret; test -r "$s" || { echo "demo-app: $s unreadable"; exit 1; }; echo "demo-app: started $(date +%%s.%%N) secret $(stat -L -c "%%U:%%G %%a" "$s") on $(stat -f -L -c %%T /run/vps-secrets) sha256 $(sha256sum < "$s" | cut -c1-16)" | tee /run/demo-app/started; cat /run/demo-app/started >> /run/demo-app/starts'

[Install]
WantedBy=multi-user.target
EOF
ln -sf /etc/systemd/system/demo-app.service "$dir/etc/systemd/system/multi-user.target.wants/demo-app.service"

[[ -n $operator ]] || exit 0
# The host trusts only this operator (the endpoint may trust more), for pushed secret bundles
# and for rebuilds; its "rebuild" is a script that records the revision: the request carries
# data, never a command.
cat >> "$dir/etc/vps-agent/config.yaml" <<EOF
authorized_operators:
  - $operator
rebuild:
  command: [/usr/local/sbin/vm-test-rebuild, "{revision}"]
  timeout: 2m
  poll_wait: 10s
EOF
ln -sf /usr/lib/systemd/system/vps-agent-watch.service "$dir/etc/systemd/system/multi-user.target.wants/vps-agent-watch.service"
install -d "$dir/usr/local/sbin"
cat > "$dir/usr/local/sbin/vm-test-rebuild" <<'EOF'
#!/bin/sh
# VM test rebuild command: "apply" revision $1 by recording it.
set -eu
printf '%s\n' "$1" > /etc/vm-test-revision.tmp
mv /etc/vm-test-revision.tmp /etc/vm-test-revision
echo "vm-test-rebuild: applied revision $1"
EOF
chmod 0755 "$dir/usr/local/sbin/vm-test-rebuild"
