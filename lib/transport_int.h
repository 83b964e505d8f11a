/*
 * transport_int.h - what transport.c (the context, sockets set up: CURVE,
 * local, ZAP, monitors; their options), transport_frames.c (messages
 * received, sent and polled) and transport_watch.c (monitor events, a
 * peer's connection, ZAP requests answered) share: internal to the three.
 */
#ifndef KUSKA_TRANSPORT_INT_H
#define KUSKA_TRANSPORT_INT_H

#include <stdbool.h>
#include <sys/types.h>
#include <sys/un.h>

struct tsock {
	void *s;
	bool wipe;   /* wipe received frames in libzmq's memory */
	bool router; /* a ROUTER: keeps a refused message's routing id */
	/* The socket file tsock_bind_local made, which libzmq leaves behind
	 * when the socket closes ("" for any other socket), the process
	 * that made it, and the file's identity, to know it is still ours. */
	char file[sizeof(((struct sockaddr_un *)0)->sun_path)];
	pid_t file_owner;
	dev_t file_dev;
	ino_t file_ino;
};

#endif
