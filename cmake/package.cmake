# package.cmake - the Debian package: in a build directory,
#
#   cpack -G DEB        # kuska_VERSION_amd64.deb
#
# installs the build under /usr (with /etc/kuska for the configs, marked
# conffiles), as cmake/install.cmake lays it out, and packs it with its
# library dependencies worked out by dpkg-shlibdeps, the maintainer
# scripts of packaging/deb/ and, by cmake/deb_stage.cmake, compressed man
# pages, the copyright file and the changelog. tests/e2e/test_deb.sh makes
# it, checks it with dpkg-deb and lintian and installs it in a scratch
# root. Included from install.cmake.

set(KUSKA_DEB_MAINTAINER "kuska maintainers <kuska-maintainers@example.org>"
	CACHE STRING "The Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME kuska)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${KUSKA_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
	"exchange of pseudonymised child-trafficking case events")
# The long description; cpack indents it and marks the empty line.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
	"kuska lets Peru's institutions against child trafficking (police,
prosecutors, judiciary, women's and health ministries) exchange signed,
pseudonymised case events so that the national Commission can count
victims, referrals and prosecutions without any child's identity
leaving the institution that holds it.

This package holds kuska-node (one per institution), kuska-consolidator
(one per country), kuska-keyholder (run by a body independent of the
institutions: a share of the key behind every pseudonym) and the kuska
client, with their systemd units. The services stay disabled until
configured.")

# Installed by cpack with DESTDIR into its staging directory, prefix /usr:
# the absolute /etc/kuska lands inside the package too.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # kuska_0.5.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# systemd-sysusers and systemd-tmpfiles in postinst, and the units.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd")
# mdb_copy: a live backup of a store (docs/OPERATIONS.md); the daemons
# run without it, so apt installs it by default but may be told not to.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "lmdb-utils")

# Every file under /etc is a conffile: dpkg keeps the administrator's
# edits on upgrade and deletes the files on purge.
set(KUSKA_DEB_DIR ${CMAKE_BINARY_DIR}/deb)
set(conffiles "")
foreach(name ${KUSKA_CONFIGS})
	string(APPEND conffiles "${KUSKA_SYSCONFDIR}/${name}.conf\n")
endforeach()
file(WRITE ${KUSKA_DEB_DIR}/conffiles "${conffiles}")
foreach(script postinst prerm postrm)
	configure_file(${CMAKE_SOURCE_DIR}/packaging/deb/${script}
		${KUSKA_DEB_DIR}/${script} COPYONLY)
endforeach()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${KUSKA_DEB_DIR}/conffiles
	${KUSKA_DEB_DIR}/postinst ${KUSKA_DEB_DIR}/prerm
	${KUSKA_DEB_DIR}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# After the staging install, before packing (cmake/deb_stage.cmake).
set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_SOURCE_DIR}/cmake/deb_stage.cmake)
set(CPACK_KUSKA_SOURCE_DIR ${CMAKE_SOURCE_DIR})
set(CPACK_KUSKA_SYSCONFDIR ${KUSKA_SYSCONFDIR})

include(CPack)
