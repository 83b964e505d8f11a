/*
 * demo_indicators.h - the example indicators kuska ships
 * (config/indicators.conf), built into kuska (cmake/embed.cmake) for
 * kuska demo init to write into the demo's directory: an installed kuska
 * has no source tree, and the copy in /usr/share/doc may be left out.
 */
#ifndef KUSKA_DEMO_INDICATORS_H
#define KUSKA_DEMO_INDICATORS_H

/* The text of config/indicators.conf, NUL-terminated. */
extern const char demo_indicators_conf[];

#endif
