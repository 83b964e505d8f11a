/*
 * reset.h - a peer that ends its connections with a reset, for the test
 * tools (kuska_liar -r): what a daemon sees of a peer whose host drops
 * them, where libzmq would close them in order.
 */
#ifndef KUSKA_TOOLS_RESET_H
#define KUSKA_TOOLS_RESET_H

/*
 * reset_and_exit - sets a linger of 0 on every connected TCP socket of
 * this process, so that the kernel resets each as it closes them, and
 * exits with status at once (libzmq left as it is).
 */
void reset_and_exit(int status) __attribute__((noreturn));

#endif
