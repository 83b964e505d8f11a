# unit_rewrite.cmake - run at install time (install.cmake): copies the
# unit KUSKA_UNIT_SRC to KUSKA_UNIT_DST with the paths of the source tree
# (/usr/local/sbin/, /etc/kuska) replaced by those of this install.

file(READ "${KUSKA_UNIT_SRC}" text)
string(REPLACE "/usr/local/sbin/" "${KUSKA_UNIT_SBINDIR}/" text "${text}")
string(REPLACE "/etc/kuska" "${KUSKA_UNIT_SYSCONFDIR}" text "${text}")
file(WRITE "${KUSKA_UNIT_DST}" "${text}")
