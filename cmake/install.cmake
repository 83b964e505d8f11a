# install.cmake - what `cmake --install` puts besides the programs:
# man pages, example configs, systemd units, sysusers.d (the services'
# groups) and tmpfiles.d entries, the bash completion. Included from
# CMakeLists.txt.
#
#   cmake --install build                        # /usr/local, /etc/kuska
#   DESTDIR=/tmp/stage cmake --install build     # staged (packaging, tests)
#   cmake --install build --prefix /usr          # what the .deb holds
#
# Example configs go to KUSKA_SYSCONFDIR (an absolute path, so DESTDIR
# still applies); one that already exists there is left alone and the
# fresh copy can be compared with the one in share/doc/kuska/examples.
# Units, sysusers and tmpfiles entries go under the prefix, which systemd
# searches for /usr/local and /usr. The files in systemd/ and config/ are
# written for /usr/local/sbin and /etc/kuska; the installed copies have
# those paths replaced by the configured ones. The prefix is the one of
# the install, not of the configure: cpack (cmake/package.cmake) installs
# this same build under /usr.

set(KUSKA_SYSCONFDIR "/etc/kuska" CACHE PATH
	"Where the example configurations and keys live (absolute)")
set(KUSKA_SYSTEMDUNITDIR "lib/systemd/system" CACHE PATH
	"systemd system unit directory (relative: under the prefix)")
set(KUSKA_SYSUSERSDIR "lib/sysusers.d" CACHE PATH
	"sysusers.d directory (relative: under the prefix)")
set(KUSKA_TMPFILESDIR "lib/tmpfiles.d" CACHE PATH
	"tmpfiles.d directory (relative: under the prefix)")
set(KUSKA_BASHCOMPDIR "${CMAKE_INSTALL_DATADIR}/bash-completion/completions"
	CACHE PATH "bash-completion's directory (relative: under the prefix)")
# Build directories configured before these became relative cached the
# old absolute defaults, which would put /usr/local paths in the package.
foreach(d "SYSTEMDUNITDIR;lib/systemd/system" "SYSUSERSDIR;lib/sysusers.d"
		"TMPFILESDIR;lib/tmpfiles.d"
		"BASHCOMPDIR;${CMAKE_INSTALL_DATADIR}/bash-completion/completions")
	list(GET d 0 var)
	list(GET d 1 rel)
	if(KUSKA_${var} STREQUAL "${CMAKE_INSTALL_PREFIX}/${rel}")
		set(KUSKA_${var} "${rel}" CACHE PATH "(relative: under the prefix)"
			FORCE)
	endif()
endforeach()

set(KUSKA_CONFIGS consolidator registry indicators pnp mp pj mimp minsa
	secretariat analyst pnp-stats keyholder)
set(KUSKA_STAGE ${CMAKE_BINARY_DIR}/install-stage)

# Copies src to dst with the source tree's paths replaced by the
# configured ones; cmake re-runs when src changes.
function(kuska_rewrite src dst)
	file(READ ${src} text)
	string(REPLACE "/usr/local/sbin/" "${CMAKE_INSTALL_FULL_SBINDIR}/"
		text "${text}")
	string(REPLACE "/etc/kuska" "${KUSKA_SYSCONFDIR}" text "${text}")
	file(WRITE ${dst} "${text}")
	set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${src})
endfunction()

# Where things go with the configured prefix, for tests/e2e/test_install.sh
# (sh syntax).
foreach(d SYSTEMDUNITDIR SYSUSERSDIR TMPFILESDIR BASHCOMPDIR)
	if(IS_ABSOLUTE "${KUSKA_${d}}")
		set(KUSKA_FULL_${d} "${KUSKA_${d}}")
	else()
		set(KUSKA_FULL_${d} "${CMAKE_INSTALL_PREFIX}/${KUSKA_${d}}")
	endif()
endforeach()
file(WRITE ${KUSKA_STAGE}/paths.sh
	"BINDIR='${CMAKE_INSTALL_FULL_BINDIR}'\n"
	"SBINDIR='${CMAKE_INSTALL_FULL_SBINDIR}'\n"
	"MANDIR='${CMAKE_INSTALL_FULL_MANDIR}'\n"
	"DOCDIR='${CMAKE_INSTALL_FULL_DOCDIR}'\n"
	"SYSCONF='${KUSKA_SYSCONFDIR}'\n"
	"UNITDIR='${KUSKA_FULL_SYSTEMDUNITDIR}'\n"
	"SYSUSERSDIR='${KUSKA_FULL_SYSUSERSDIR}'\n"
	"TMPFILESDIR='${KUSKA_FULL_TMPFILESDIR}'\n"
	"BASHCOMPDIR='${KUSKA_FULL_BASHCOMPDIR}'\n")

# Man pages.
install(FILES ${CMAKE_SOURCE_DIR}/docs/kuska.1
	DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/docs/kuska.conf.5
	DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
install(FILES ${CMAKE_SOURCE_DIR}/docs/kuska-node.8
	${CMAKE_SOURCE_DIR}/docs/kuska-consolidator.8
	${CMAKE_SOURCE_DIR}/docs/kuska-keyholder.8
	DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
# The pages the man pages and the messages point at (docs/INPUT.md for
# the statistics officer, docs/INDICATORS.md for the analyst...): a
# ministry's server has no clone of the sources.
file(GLOB kuska_doc_pages ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES ${kuska_doc_pages} DESTINATION ${CMAKE_INSTALL_DOCDIR})

# systemd units, the groups of the services' sockets, the keys directory.
# The units name the programs by the prefix of the install
# (cmake/unit_rewrite.cmake).
if(IS_ABSOLUTE "${CMAKE_INSTALL_SBINDIR}")
	set(sbin "${CMAKE_INSTALL_SBINDIR}")
else()
	set(sbin "\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_SBINDIR}")
endif()
foreach(unit kuska-consolidator.service kuska-node@.service
		kuska-keyholder.service)
	install(CODE "
		set(KUSKA_UNIT_SRC \"${CMAKE_SOURCE_DIR}/systemd/${unit}\")
		set(KUSKA_UNIT_DST \"${KUSKA_STAGE}/systemd/${unit}\")
		set(KUSKA_UNIT_SBINDIR \"${sbin}\")
		set(KUSKA_UNIT_SYSCONFDIR \"${KUSKA_SYSCONFDIR}\")
		include(\"${CMAKE_SOURCE_DIR}/cmake/unit_rewrite.cmake\")")
	install(FILES ${KUSKA_STAGE}/systemd/${unit}
		DESTINATION ${KUSKA_SYSTEMDUNITDIR})
endforeach()
install(FILES ${CMAKE_SOURCE_DIR}/systemd/kuska.sysusers
	DESTINATION ${KUSKA_SYSUSERSDIR} RENAME kuska.conf)
kuska_rewrite(${CMAKE_SOURCE_DIR}/systemd/kuska.tmpfiles
	${KUSKA_STAGE}/systemd/kuska.tmpfiles)
install(FILES ${KUSKA_STAGE}/systemd/kuska.tmpfiles
	DESTINATION ${KUSKA_TMPFILESDIR} RENAME kuska.conf)

# bash completion: one file, which registers all four programs; the
# daemons' names link to it, as bash-completion looks a program up by name.
install(FILES ${CMAKE_SOURCE_DIR}/completion/kuska.bash
	DESTINATION ${KUSKA_BASHCOMPDIR} RENAME kuska)
foreach(name kuska-node kuska-consolidator kuska-keyholder)
	install(CODE "
		if(IS_ABSOLUTE \"${KUSKA_BASHCOMPDIR}\")
			set(dir \"\$ENV{DESTDIR}${KUSKA_BASHCOMPDIR}\")
		else()
			set(dir \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${KUSKA_BASHCOMPDIR}\")
		endif()
		message(STATUS \"Installing: \${dir}/${name} -> kuska\")
		file(CREATE_LINK kuska \"\${dir}/${name}\" SYMBOLIC)")
endforeach()

# Example configs: pristine copies in the doc directory, and in
# KUSKA_SYSCONFDIR unless a file of that name is already there.
foreach(name ${KUSKA_CONFIGS})
	kuska_rewrite(${CMAKE_SOURCE_DIR}/config/${name}.conf
		${KUSKA_STAGE}/config/${name}.conf)
	install(FILES ${KUSKA_STAGE}/config/${name}.conf
		DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
endforeach()
install(CODE "
	set(dir \"\$ENV{DESTDIR}${KUSKA_SYSCONFDIR}\")
	# Secret keys are root's (0600); the public ones are for every
	# service to read, each running as a user of its own (as
	# kuska.tmpfiles makes the directory).
	if(NOT EXISTS \"\${dir}/keys\")
		file(MAKE_DIRECTORY \"\${dir}/keys\")
		execute_process(COMMAND chmod 0755 \"\${dir}/keys\")
	endif()
	foreach(name ${KUSKA_CONFIGS})
		if(EXISTS \"\${dir}/\${name}.conf\")
			message(STATUS \"Kept existing: \${dir}/\${name}.conf\")
		else()
			# file(INSTALL) adds DESTDIR itself.
			file(INSTALL \"${KUSKA_STAGE}/config/\${name}.conf\"
				DESTINATION \"${KUSKA_SYSCONFDIR}\"
				PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ
				WORLD_READ)
		endif()
	endforeach()
")

# The Debian package (cpack -G DEB), from the same install rules.
include(${CMAKE_SOURCE_DIR}/cmake/package.cmake)
