/*
 * cmd.h - the subcommands of kuska(1). Each takes the arguments after the
 * subcommand name (argv[0] is the subcommand) and returns the process
 * exit code: 0 success, 1 something was refused or unhealthy, 2 usage
 * error or peer unreachable.
 */
#ifndef KUSKA_CMD_H
#define KUSKA_CMD_H

int cmd_keygen(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_estimate(int argc, char **argv);

#endif
