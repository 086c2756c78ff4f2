# rebuild_story.sh: US3, sourced by vm_stories.sh when the build has `vps-enroll rebuild` and
# `vps-agent watch`. Operators (keys in $work/operators.d): alice is authorized by the endpoint
# AND by the host's config; mallory only by the endpoint; eve by neither. The host's rebuild
# command (overlay: /usr/local/sbin/vm-test-rebuild REVISION) writes /etc/vm-test-revision.
# shellcheck shell=bash
# shellcheck disable=SC2154 # work, host, enroll_bin come from vm_stories.sh

rebuild_as() {
  local who=$1
  shift
  "$enroll_bin" rebuild "$host" --key "$work/operators.d/$who" "$@"
}
guest_revision() { ssh_guest cat /etc/vm-test-revision 2>/dev/null || echo none; }

wait_for 120 "vps-agent-watch.service active in the guest" \
  bash -c "[[ \$(ssh -p $ssh_port -i $work/test_key -o BatchMode=yes -o UserKnownHostsFile=$work/known_hosts -o LogLevel=ERROR root@127.0.0.1 systemctl is-active vps-agent-watch.service) == active ]]"

t_trigger=$(date +%s)
alice_status=0
out=$(rebuild_as alice --revision vm-rev-1 --wait --wait-timeout 5m 2>&1) || alice_status=$?
indent alice <<<"$out"
((alice_status == 0)) || fail "alice's authorized rebuild did not succeed (exit $alice_status)"
[[ $(guest_revision) == vm-rev-1 ]] || fail "the rebuild reported success but /etc/vm-test-revision is '$(guest_revision)'"
timing "rebuild trigger -> applied" "$(since "$t_trigger")"
pass "US3: an authorized operator's rebuild (revision vm-rev-1) ran the host's own command"

# mallory: accepted by the endpoint (its operator list), refused by the host (its own list).
mallory_status=0
out=$(rebuild_as mallory --revision vm-rev-evil --wait --wait-timeout 3m 2>&1) || mallory_status=$?
indent mallory <<<"$out"
((mallory_status != 0)) || fail "the host ran a rebuild signed by an operator it does not authorize"
[[ $(guest_revision) == vm-rev-1 ]] || fail "mallory's rebuild changed the guest: $(guest_revision)"
pass "US3: an operator the endpoint knows but the host does not is refused by the host (exit $mallory_status), nothing changed"

# eve: refused by the endpoint already.
eve_status=0
out=$(rebuild_as eve --revision vm-rev-eve 2>&1) || eve_status=$?
indent eve <<<"$out"
((eve_status == 77)) || fail "an unknown operator's rebuild request was not refused as unauthorized (exit $eve_status)"
[[ $(guest_revision) == vm-rev-1 ]] || fail "eve's request changed the guest"
pass "US3: an operator unknown to the endpoint is refused (77 unauthorized), nothing changed"
