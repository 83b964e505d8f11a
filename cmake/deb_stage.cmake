# deb_stage.cmake - run by cpack (CPACK_PRE_BUILD_SCRIPTS, see
# package.cmake) on the staging directory before it is packed: what a
# Debian package has that `cmake --install` does not.
#
# - programs stripped as dh_strip does (no debug symbols, no .comment);
# - man pages compressed with gzip -9n (reproducible: no name, no time);
# - /usr/share/doc/kuska/copyright and changelog.gz, and lintian's
#   overrides (packaging/deb/);
# - no /etc/kuska/keys: postinst has systemd-tmpfiles make it (root's,
#   0755), so that dpkg never resets it.

set(stage "${CPACK_TEMPORARY_INSTALL_DIRECTORY}")
set(doc "${stage}${CPACK_PACKAGING_INSTALL_PREFIX}/share/doc/kuska")
if(NOT IS_DIRECTORY "${doc}")
	message(FATAL_ERROR "deb_stage: no ${doc} in the staging directory")
endif()

find_program(STRIP strip REQUIRED)
file(GLOB programs "${stage}${CPACK_PACKAGING_INSTALL_PREFIX}/bin/*"
	"${stage}${CPACK_PACKAGING_INSTALL_PREFIX}/sbin/*")
foreach(program ${programs})
	execute_process(COMMAND ${STRIP} --remove-section=.comment
		--remove-section=.note --strip-unneeded "${program}"
		RESULT_VARIABLE rc)
	if(NOT rc EQUAL 0)
		message(FATAL_ERROR "deb_stage: strip ${program} failed")
	endif()
endforeach()

file(GLOB pages "${stage}${CPACK_PACKAGING_INSTALL_PREFIX}/share/man/man*/*")
foreach(page ${pages})
	if(NOT page MATCHES "\\.gz$")
		execute_process(COMMAND gzip -9nf "${page}" RESULT_VARIABLE rc)
		if(NOT rc EQUAL 0)
			message(FATAL_ERROR "deb_stage: gzip ${page} failed")
		endif()
	endif()
endforeach()

file(COPY "${CPACK_KUSKA_SOURCE_DIR}/packaging/deb/copyright"
	DESTINATION "${doc}" FILE_PERMISSIONS OWNER_READ OWNER_WRITE
	GROUP_READ WORLD_READ)
execute_process(COMMAND gzip -9n
	INPUT_FILE "${CPACK_KUSKA_SOURCE_DIR}/packaging/deb/changelog"
	OUTPUT_FILE "${doc}/changelog.gz" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
	message(FATAL_ERROR "deb_stage: gzip changelog failed")
endif()

file(MAKE_DIRECTORY "${stage}${CPACK_PACKAGING_INSTALL_PREFIX}/share/lintian/overrides")
file(COPY_FILE "${CPACK_KUSKA_SOURCE_DIR}/packaging/deb/lintian-overrides"
	"${stage}${CPACK_PACKAGING_INSTALL_PREFIX}/share/lintian/overrides/kuska")

file(REMOVE_RECURSE "${stage}${CPACK_KUSKA_SYSCONFDIR}/keys")
