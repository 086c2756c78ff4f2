#!/bin/bash
# The main job, locally and end to end on loopback, in a scratch directory:
#   first boot of a host in a scratch root → publish to a local enrollment endpoint →
#   operator lists and approves it (fingerprint check) → operator encrypts a secret for the host and
#   pushes it to the endpoint → the host fetches it, activates its secrets into a scratch ramfs → a
#   dependent "service" starts only then → an authorized operator triggers a rebuild the host verifies
#   and runs; an operator the host does not trust is refused.
# Usage: scripts/demo.sh   (as root on Debian 12; installs what it needs; touches nothing outside
# its scratch directory, which it removes on exit — set KEEP=1 to keep it)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
build=${BUILD_DIR:-build-demo}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVPS_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target vps-agent vps-enroll vps-agent-generator
agent="$PWD/$build/bin/vps-agent"
enroll="$PWD/$build/bin/vps-enroll"
generator="$PWD/$build/bin/vps-agent-generator"

scratch=$(mktemp -d /tmp/vps-demo.XXXXXX)
server_pid=""
watch_pid=""
cleanup() {
  [[ -n "$watch_pid" ]] && kill "$watch_pid" 2>/dev/null && wait "$watch_pid" 2>/dev/null || true
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  if [[ "${KEEP:-0}" == 1 ]]; then echo "scratch kept: $scratch"; else rm -rf "$scratch"; fi
}
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# --- the host's scratch root: what a fresh instance made from the image looks like ---------------
root="$scratch/host"
mkdir -p "$root/etc/ssh" "$root/etc/vps-agent" "$root/var/log" "$root/sys/class/dmi/id" \
         "$root/proc/sys/kernel/random"
echo "4242" > "$root/sys/class/dmi/id/product_serial"          # Linode: DMI serial = instance id
echo "demo-host" > "$root/etc/hostname"
cat /proc/sys/kernel/random/boot_id > "$root/proc/sys/kernel/random/boot_id"
: > "$root/var/log/console"                                      # stands in for the serial console

# --- operators: alice (trusted by the endpoint and the host), bob (by the endpoint only) ----------
op="$scratch/operator"
mkdir -p "$op"
ssh-keygen -q -t ed25519 -N '' -C alice -f "$op/id_ed25519"
ssh-keygen -q -t ed25519 -N '' -C bob -f "$op/bob_ed25519"
echo "$(cut -d' ' -f1,2 "$op/id_ed25519.pub") alice" > "$op/operators"
echo "$(cut -d' ' -f1,2 "$op/bob_ed25519.pub") bob" >> "$op/operators"

step "enrollment endpoint on 127.0.0.1 (vps-enroll serve)"
"$enroll" serve --listen 127.0.0.1 --port 0 --database "$scratch/enroll.db" \
  --operators "$op/operators" > "$scratch/serve.out" 2> "$scratch/serve.log" &
server_pid=$!
for _ in $(seq 50); do grep -q '^listening on ' "$scratch/serve.out" 2>/dev/null && break; sleep 0.1; done
endpoint=$(sed -n 's/^listening on //p' "$scratch/serve.out")
[[ -n "$endpoint" ]] || { cat "$scratch/serve.log"; echo "demo: endpoint did not start" >&2; exit 1; }
echo "endpoint: $endpoint"
export VPS_ENROLL_ENDPOINT="$endpoint"

# The host trusts alice only (bob is trusted by the endpoint alone): a secret bundle or a rebuild
# request reaches this host only when alice signed it, whatever the endpoint says.
cat > "$root/etc/vps-agent/config.yaml" <<YAML
console:
  path: /var/log/console
authorized_operators:
  - $(cut -d' ' -f1,2 "$op/id_ed25519.pub") alice
enrollment:
  endpoint: $endpoint
  retry: {initial_delay: 200ms, max_delay: 2s, attempt_timeout: 5s, overall_timeout: 30s}
metadata:
  enabled: false          # no Linode metadata service here; the instance id comes from DMI
YAML

step "host, first boot: vps-agent --root $root firstboot"
"$agent" --root "$root" firstboot

step "host: vps-agent publish --no-wait (signed with the new host key)"
# The unit keeps publishing until an operator decides; here one acknowledged publication is enough.
"$agent" --root "$root" publish --no-wait

step "host, later boot: vps-secrets.service starts (vps-agent secrets) and waits for enrollment"
# A private mount namespace stands in for the host: the agent mounts its ramfs under the scratch
# root there, and the dependent "service" runs in the same namespace once the agent is done,
# as systemd orders a unit with After=/Requires=vps-secrets.target.
cat >> "$root/etc/vps-agent/config.yaml" <<YAML
secrets:
  timeout: 2m
  files:
    - name: db-password
      source: /etc/vps-agent/secrets/db-password.age
      mode: "0400"
      restart_units: [demo-app.service]
YAML
mkdir -p "$root/etc/vps-agent/secrets"

step "systemd generator: services named in the secrets config are gated on their own secrets (ExecCondition=vps-agent secrets --gate)"
VPS_AGENT_ROOT="$root" "$generator" "$scratch/generator" "$scratch/generator.early" "$scratch/generator.late"
for f in "$scratch"/generator/*.d/*.conf; do echo "# ${f#"$scratch"/}"; cat "$f"; done
unshare --mount --propagation private bash -c '
  set -e
  "$0" --root "$1" secrets --no-restart 2> "$2/secrets.log"
  echo "[demo-app.service] starting: its secrets are active (the gate opens)"
  echo "[demo-app.service] reads $1/run/vps-secrets/db-password:"
  ls -l "$1/run/vps-secrets/" "$1/run/vps-secrets.d/"
  grep -E "^(tmpfs|ramfs|none) $1/run/vps-secrets.d " /proc/self/mounts || true
  printf "[demo-app.service] secret = %s\n" "$(cat "$1/run/vps-secrets/db-password")"
' "$agent" "$root" "$scratch" > "$scratch/host-later-boot.out" 2>&1 &
host_pid=$!
for _ in $(seq 100); do grep -q "waiting for enrollment" "$scratch/secrets.log" 2>/dev/null && break; sleep 0.1; done
sed 's/^/  host| /' "$scratch/secrets.log"

step "operator: vps-enroll list"
"$enroll" list --key "$op/id_ed25519"

step "operator: approve, checking the fingerprint the console printed"
console_fp=$(grep -o 'SHA256:[A-Za-z0-9+/]*' "$root/var/log/console" | head -1)
echo "console (Lish) shows: $console_fp"
"$enroll" approve demo-host --fingerprint "$console_fp" --key "$op/id_ed25519"

step "operator: encrypt the secret to the host's age recipient and push it to the endpoint"
recipient=$("$agent" --root "$root" pubkey --format age)
echo "recipient: $recipient"
printf 's3cr3t-db-password' | "$enroll" encrypt -r "$recipient" -a -o "$scratch/db-password.age"
head -2 "$scratch/db-password.age"; echo "…"
# The endpoint stores ciphertext only; push signs a manifest (host, host key, name, SHA-256,
# sequence) with alice's key, and the waiting agent installs the bundle only after checking it
# against its own operator list.
# (A deployment copying the file over ssh works the same: the agent watches the source directory.)
"$enroll" push demo-host "$scratch/db-password.age" --key "$op/id_ed25519"

step "host: the agent fetches it, decrypts into ramfs, switches the generation, then the service starts"
wait "$host_pid"
sed 's/^/  host| /' "$scratch/secrets.log" | tail -n +2
cat "$scratch/host-later-boot.out"

step "host: status"
"$agent" --root "$root" status

step "host: vps-agent watch (vps-agent-watch.service) long-polls for rebuild requests"
# The host trusts only alice for rebuilds, whatever the endpoint trusts; the rebuild command is an
# argv list (never a shell string from the request) with {revision} substituted.
cat > "$scratch/rebuild.sh" <<'SH'
#!/bin/sh
# Stands in for `nixos-rebuild switch --flake …#vps` or a Debian configuration script.
echo "applying revision $1"
printf 'revision %s\n' "$1" > "$DEMO_ROOT/etc/demo-release"
SH
chmod 0755 "$scratch/rebuild.sh"
cat >> "$root/etc/vps-agent/config.yaml" <<YAML
rebuild:
  command: ["$scratch/rebuild.sh", "{revision}"]
  timeout: 1m
  poll_wait: 5s
YAML
DEMO_ROOT="$root" "$agent" --root "$root" watch --max-time 120 2> "$scratch/watch.log" &
watch_pid=$!

step "operator alice: vps-enroll rebuild demo-host --revision v2 --wait"
"$enroll" rebuild demo-host --revision v2 --wait --wait-timeout 60s --key "$op/id_ed25519"
echo "host now has: $(cat "$root/etc/demo-release")"

step "operator bob (trusted by the endpoint, not by the host): the host refuses, nothing runs"
status=0
"$enroll" rebuild demo-host --revision evil --wait --wait-timeout 60s --key "$op/bob_ed25519" || status=$?
echo "vps-enroll rebuild exited $status (85: the host refused); host still has: $(cat "$root/etc/demo-release")"
[[ $status == 85 ]] && grep -q 'revision v2' "$root/etc/demo-release"

step "operator: vps-enroll rebuilds demo-host"
"$enroll" rebuilds demo-host --key "$op/id_ed25519"

step "demo finished"
