#!/bin/bash
# The VM test's stories, run by vm_test.sh inside a private network namespace (unshare -n):
# the enrollment endpoint listens on 127.0.0.1 here, the guest reaches it as 10.0.2.2 through
# QEMU user networking, and nothing else is reachable from either side.
# Environment (from vm_test.sh): work image agent_bin enroll_bin enroll_port
# source_dir test_started t_build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/guest.sh
source "$here/lib/guest.sh"

: "${work:?} ${image:?} ${enroll_bin:?} ${enroll_port:?} ${source_dir:?}"
ssh_port=2222            # fixed: the namespace is private, nothing else can hold it
instance_id=4242         # DMI system-serial-number, as Linode sets it to the Linode ID
server_pid=""
results=()
timings=()

cleanup() {
  stop_vm
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT
pass() { results+=("PASS  $*"); log "PASS: $*"; }
timing() { timings+=("$(printf '%-38s %4s s' "$1" "$2")"); log "timing: $1 = $2 s"; }
since() { echo $(( $(date +%s) - $1 )); }

ip link set lo up

# --- the endpoint --------------------------------------------------------------------------------
# Signed requests name the endpoint they are meant for: the guest reaches it as 10.0.2.2 (QEMU user
# networking), the operator commands here as 127.0.0.1.
"$enroll_bin" serve --listen 127.0.0.1 --port "$enroll_port" --database "$work/enroll.db" \
  --endpoint-url "http://10.0.2.2:$enroll_port" --endpoint-url "http://127.0.0.1:$enroll_port" \
  --operators "$work/operators" >"$work/serve.out" 2>"$work/serve.log" &
server_pid=$!
wait_for 20 "vps-enroll serve listening" grep -q '^listening on ' "$work/serve.out"
export VPS_ENROLL_ENDPOINT="http://127.0.0.1:$enroll_port"
operator() { "$enroll_bin" "$@" --key "$work/operators.d/alice"; }
log "endpoint: $VPS_ENROLL_ENDPOINT (guest: http://10.0.2.2:$enroll_port)"

extract_boot_files
choose_accel
: > "$work/console.log"
start_vm

# --- US1: boot, network, sshd with the agent's key, fingerprint on the serial console ------------
wait_console 'END SSH HOST KEY FINGERPRINTS' 0 600
timing "boot -> fingerprint on console" "$(since "$boot_started")"
console_fp=$(console_fingerprint 0)
console_age=$(console_age_recipient 0)
log "serial console shows $console_fp, $console_age"
key_line=$(wait_ssh_key 600)
timing "boot -> ssh reachable" "$(since "$boot_started")"
echo "$key_line" > "$work/known_hosts"
scan_fp=$(ssh-keygen -lf "$work/known_hosts" | awk '{ print $2 }')
[[ $scan_fp == "$console_fp" ]] || fail "sshd offers $scan_fp, the console showed $console_fp"
agent_key=$(ssh_guest vps-agent pubkey | awk '{ print $1, $2 }')
[[ $agent_key == "$(awk '{ print $2, $3 }' <<<"$key_line")" ]] \
  || fail "vps-agent pubkey '$agent_key' differs from the key sshd offers '$key_line'"
cmdline=$(ssh_guest cat /proc/cmdline)
[[ " $cmdline " == *" console=ttyS0,19200n8 "* && " $cmdline " == *" net.ifnames=0 "* ]] \
  || fail "kernel command line '$cmdline' lacks the Linode settings"
root_dev=$(ssh_guest findmnt -n -o SOURCE,FSTYPE /)
[[ $root_dev == "/dev/sda ext4" ]] || fail "root is '$root_dev', expected /dev/sda ext4"
ssh_guest ip -4 -o addr show dev eth0 | grep -q 'inet 10\.0\.2\.15/' || fail "eth0 has no DHCP address"
serial=$(ssh_guest cat /sys/class/dmi/id/product_serial)
[[ $serial == "$instance_id" ]] || fail "DMI serial is '$serial'"
ssh_guest test -s /etc/machine-id || fail "systemd did not create /etc/machine-id on first boot"
pass "US1: boots from /dev/sda (ext4), DHCP on eth0, sshd offers the agent's key $console_fp (= console = vps-agent pubkey)"

# --- US2: publication, approval, secret delivery, dependent service ------------------------------
host_listed() {
  operator list --json > "$work/hosts.json" 2>/dev/null \
    && jq -e --arg fp "$console_fp" '.hosts | any(.fingerprint == $fp)' "$work/hosts.json"
}
wait_for 300 "the host's publication on the endpoint" host_listed
timing "boot -> key published" "$(since "$boot_started")"
host=$(jq -r --arg fp "$console_fp" '.hosts[] | select(.fingerprint == $fp) | .name' "$work/hosts.json")
listed_age=$(jq -r --arg fp "$console_fp" '.hosts[] | select(.fingerprint == $fp) | .age_recipient' "$work/hosts.json")
[[ $listed_age == "$console_age" ]] || fail "endpoint lists age recipient $listed_age, console showed $console_age"
log "endpoint lists host '$host' (status pending), fingerprint matches the console"

status_text=$(ssh_guest systemctl show -p StatusText --value vps-secrets.service)
[[ $status_text == *"waiting for enrollment"* ]] || fail "vps-secrets.service status is '$status_text', expected waiting for enrollment"
[[ $(ssh_guest systemctl is-active demo-app.service || true) != active ]] || fail "demo-app started before its secret existed"
log "guest waits: vps-secrets.service: $status_text; demo-app.service not started"

# Day two: approve only after the bounded wait for every secret gave up (secrets.timeout 1m ends
# vps-secrets-wait.service, so vps-secrets.target fails): the agent itself never gives up, and
# demo-app, gated on its own secret, must still start when the push arrives.
wait_failed() { [[ $(ssh_guest systemctl is-failed vps-secrets-wait.service || true) == failed ]]; }
poll 150 wait_failed || fail "vps-secrets-wait.service did not give up after secrets.timeout (1m)"
[[ $(ssh_guest systemctl is-active vps-secrets.service || true) == active ]] \
  || fail "vps-secrets.service is not running while it waits"
log "vps-secrets-wait.service gave up (secrets.timeout); vps-secrets.service still waits: $(ssh_guest systemctl show -p StatusText --value vps-secrets.service)"
operator approve "$host" --fingerprint "$console_fp" || fail "approve refused the console's fingerprint"
mkdir -p "$work/push"
secret="vm-test-secret-$RANDOM$RANDOM"
secret_sha=$(printf '%s' "$secret" | sha256sum | cut -c1-16)
printf '%s' "$secret" | "$enroll_bin" encrypt -r "$console_age" -a -o "$work/push/demo-secret.age"
t_push=$(date +%s)
operator push "$host" "$work/push/demo-secret.age" || fail "vps-enroll push failed"
demo_active() { [[ $(ssh_guest systemctl is-active demo-app.service) == active ]]; }
# The follow-up deployment goes through the endpoint: the waiting agent fetches the bundle itself.
if ! poll 120 demo_active; then
  log "guest: $(ssh_guest systemctl show -p StatusText --value vps-secrets.service)"
  fail "US2: the agent did not fetch the bundle pushed to the endpoint within 120 s"
fi
timing "push -> secret active, app started" "$(since "$t_push")"

check_secret_state() {
  local seen owner
  seen=$(ssh_guest cat /run/demo-app/started)
  owner=$(ssh_guest "stat -L -c '%U:%G %a' /run/vps-secrets/demo-secret")
  [[ $owner == "daemon:daemon 440" ]] || fail "secret owner/mode is '$owner', expected daemon:daemon 440"
  [[ $seen == *"secret daemon:daemon 440 on ramfs sha256 $secret_sha"* ]] \
    || fail "demo-app saw '$seen', expected the secret (daemon:daemon 440, ramfs, sha256 $secret_sha)"
  # Ordering: the app's process started only after vps-secrets.service was ready (READY=1).
  local ready started
  ready=$(ssh_guest systemctl show -p ActiveEnterTimestampMonotonic --value vps-secrets.service)
  started=$(ssh_guest systemctl show -p ExecMainStartTimestampMonotonic --value demo-app.service)
  ((ready > 0 && started >= ready)) || fail "demo-app started at ${started}us, before vps-secrets was ready at ${ready}us"
}
check_secret_state
pass "US2: published, approved with the console fingerprint, secret pushed to the endpoint and fetched by the host into ramfs (daemon:daemon 0440), demo-app started only once its secret was active"
pass "day two: approved after the bounded wait had given up (vps-secrets-wait failed at secrets.timeout); no reboot, no ssh: the agent kept waiting and started demo-app"

# A changed secret, deployed by file, then `systemctl reload vps-secrets`: the agent activates a new
# generation and restarts demo-app (restart_units) through the real system bus.
secret="vm-test-secret-2-$RANDOM$RANDOM"
secret_sha=$(printf '%s' "$secret" | sha256sum | cut -c1-16)
app_started_before=$(ssh_guest systemctl show -p ExecMainStartTimestampMonotonic --value demo-app.service)
# shellcheck disable=SC2016 # expanded by the guest's shell
printf '%s' "$secret" | "$enroll_bin" encrypt -r "$console_age" -a \
  | ssh_guest 'd=/etc/vps-agent/secrets; cat > $d/.demo-secret.age.new && mv $d/.demo-secret.age.new $d/demo-secret.age' \
  || fail "could not deploy the changed secret over ssh"
t_reload=$(date +%s)
reload_out=$(ssh_guest systemctl reload vps-secrets.service 2>&1) \
  || fail "systemctl reload vps-secrets.service failed: $reload_out; $(ssh_guest journalctl -b -u vps-secrets.service -n 5 --no-pager -o cat 2>&1)"
app_restarted() {
  local now
  now=$(ssh_guest systemctl show -p ExecMainStartTimestampMonotonic --value demo-app.service)
  ((now > app_started_before)) && ssh_guest grep -q "sha256 $secret_sha" /run/demo-app/started
}
if ! poll 60 app_restarted; then
  ssh_guest journalctl -b -u vps-secrets.service -n 8 --no-pager -o cat 2>&1 | indent guest
  fail "US2: demo-app was not restarted with the changed secret within 60 s of the reload"
fi
timing "reload with a changed secret -> app restarted" "$(since "$t_reload")"
check_secret_state
pass "US2: a changed secret (deployed by file + reload) becomes a new generation and restarts demo-app over the system bus"

# Day two: a secret pushed to the endpoint after activation reaches the running demo-app (restarted
# exactly once), with no ssh and no reload: the agent is subscribed to its bundles (long poll).
secret="vm-test-secret-3-$RANDOM$RANDOM"
secret_sha=$(printf '%s' "$secret" | sha256sum | cut -c1-16)
starts_before=$(ssh_guest "wc -l < /run/demo-app/starts")
printf '%s' "$secret" | "$enroll_bin" encrypt -r "$console_age" -a -o "$work/push/demo-secret.age"
t_push=$(date +%s)
operator push "$host" "$work/push/demo-secret.age" || fail "vps-enroll push (rotation) failed"
app_has_new_secret() { ssh_guest grep -q "sha256 $secret_sha" /run/demo-app/started; }
if ! poll 60 app_has_new_secret; then
  ssh_guest journalctl -b -u vps-secrets.service -n 8 --no-pager -o cat 2>&1 | indent guest
  fail "day two: the pushed secret did not reach demo-app within 60 s"
fi
timing "push after activation -> app restarted" "$(since "$t_push")"
sleep 5  # past the batch window: a second restart would show now
starts_after=$(ssh_guest "wc -l < /run/demo-app/starts")
((starts_after == starts_before + 1)) || fail "day two: demo-app started $((starts_after - starts_before)) times for one push"
check_secret_state
pass "day two: a secret pushed after activation reached the running demo-app (restarted once), no ssh, no reload"

console_before=$(console_size)
ssh_guest systemctl reboot || true
log "rebooting the guest"
boot_started=$(date +%s)
wait_console 'END SSH HOST KEY FINGERPRINTS' "$console_before" 600
[[ $(console_fingerprint "$console_before") == "$console_fp" ]] || fail "the host key changed across a reboot"
key_again=$(wait_ssh_key 600)
[[ $key_again == "$key_line" ]] || fail "sshd offers another key after reboot"
timing "reboot -> ssh reachable" "$(since "$boot_started")"
wait_for 120 "demo-app.service after reboot" demo_active
timing "reboot -> secret active, app started" "$(since "$boot_started")"
check_secret_state
pass "US2: after a reboot the same key is kept and the secret is back in ramfs before demo-app starts"

# --- US3: rebuilds, authorized twice -------------------------------------------------------------
source "$here/lib/rebuild_story.sh"

# --- day two: revocation -------------------------------------------------------------------------
# The endpoint refuses the revoked key from then on; the guest's next fetch fails and it says so,
# while demo-app keeps running on the generation it has.
generation_before=$(ssh_guest readlink /run/vps-secrets)
operator revoke "$host" --reason "vm test" || fail "vps-enroll revoke failed"
revoked_seen() { ssh_guest systemctl show -p StatusText --value vps-secrets.service | grep -q 'revoked'; }
if ! poll 60 revoked_seen; then
  log "guest: $(ssh_guest systemctl show -p StatusText --value vps-secrets.service)"
  fail "day two: the guest did not notice its revocation within 60 s"
fi
view=$(ssh_guest vps-agent status --json | jq -r '.enrollment.endpoint_view.status // "none"')
[[ $view == revoked ]] || fail "vps-agent status shows the endpoint's view '$view' after revoke"
[[ $(ssh_guest readlink /run/vps-secrets) == "$generation_before" ]] || fail "revocation changed the active generation"
demo_active || fail "demo-app stopped after the host was revoked"
pass "day two: after vps-enroll revoke the guest's fetches are refused (status: $(ssh_guest systemctl show -p StatusText --value vps-secrets.service | grep -o 'endpoint[^;]*' | head -1)), demo-app keeps its generation"

# --- edge: a corrupt host key in the VM is quarantined and reported ------------------------------
console_before=$(console_size)
# shellcheck disable=SC2016 # expanded by the guest's shell
corrupt_out=$(ssh_guest 'printf "not a key\n" > /etc/ssh/ssh_host_ed25519_key;
  systemctl restart vps-agent-firstboot.service; echo "firstboot exit: $(systemctl show -p ExecMainStatus --value vps-agent-firstboot.service)";
  ls /etc/ssh | grep ssh_host_ed25519_key; journalctl -b -u vps-agent-firstboot.service -n 5 --no-pager -o cat;
  systemctl --no-block poweroff' 2>&1 || true)
indent guest <<<"$corrupt_out"
grep -q 'ssh_host_ed25519_key\.corrupt-' <<<"$corrupt_out" || fail "the corrupt key was not quarantined"
sleep 2
tail -c +"$((console_before + 1))" "$work/console.log" | tr -d '\r' | grep -aiE 'vps-agent.*corrupt|FINGERPRINTS' | head -3 | sed 's/^/  console| /'
tail -c +"$((console_before + 1))" "$work/console.log" | grep -aqiE 'vps-agent.*corrupt|BEGIN SSH HOST KEY' \
  || fail "the serial console says nothing about the corrupt key"
pass "edge: a corrupt host key is moved aside (.corrupt-*) and reported on the console and in the journal"

# --- edge: the used disk, captured without prepare-capture, is flagged by check-image ------------
# (the guest powers off at the end of the session above: without a host key sshd takes no new one)
for _ in $(seq 60); do vm_alive || break; sleep 2; done
stop_vm
check_status=0
"$source_dir/image-hooks/check-image" --json "$image" > "$work/used-disk-check.json" 2>/dev/null || check_status=$?
((check_status == 65)) || fail "check-image accepted the used disk (exit $check_status)"
flagged=$(jq -r '[.problems[].check] | unique | join(", ")' "$work/used-disk-check.json")
log "check-image flags the used disk: $flagged"
jq -e '[.problems[].check] | (index("host-keys") != null and index("machine-id") != null)' "$work/used-disk-check.json" >/dev/null \
  || fail "check-image did not flag the used disk's host key and machine-id"
pass "edge: check-image flags the used disk (leftover host key, machine-id, agent state)"

echo
echo "=== VM end-to-end summary (accelerator $accel) ==="
printf '%s\n' "${results[@]}"
echo "--- timings ---"
timings=("$(printf '%-38s %4s s' "image build (cached debootstrap)" "${t_build:-?}")" "${timings[@]}")
printf '%s\n' "${timings[@]}"
