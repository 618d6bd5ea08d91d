# shellcheck shell=bash
# Helpers shared by .ci/run and .ci/mailservers (sourced, not executed).

# log prints a progress line on stderr, so stdout stays clean for callers.
log() { printf '[%s] %s\n' "${0##*/}" "$*" >&2; }

# pkg_installed tells whether a Debian package is fully installed.
pkg_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# ensure_pkgs installs the packages that are missing. The package lists are
# refreshed at most once per CI run (the flag is exported to child scripts):
# a fresh machine may have none or stale ones, a warm one needs no network.
ensure_pkgs() {
	local missing=() p
	for p in "$@"; do
		pkg_installed "$p" || missing+=("$p")
	done
	((${#missing[@]})) || return 0
	if [[ "${MAILBOT_CI_APT_UPDATED:-}" != 1 ]]; then
		log "apt-get update"
		apt-get -o DPkg::Lock::Timeout=300 update -q >&2
		export MAILBOT_CI_APT_UPDATED=1
	fi
	log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
		--no-install-recommends "${missing[@]}" >&2
}
