/*
 * sim.c - "kuska sim": a deterministic generator of realistic case events
 * for the five institutions, written as the JSON Lines a case system hands
 * to "kuska submit" (one file per institution). See docs/SIM.md.
 *
 * Everything comes from one seeded xoshiro256** generator, and every date
 * lies in 2024-01-01..2025-12-31, so identical arguments give identical
 * bytes on any day. The people are invented; names are drawn from lists of
 * common Peruvian (Spanish, Quechua, Aymara, Amazonian), Venezuelan,
 * Colombian, Ecuadorian and Bolivian names.
 *
 * This file is the command (its options); the generator is sim_rng.c, the
 * world sim_gen.c (victims, the run), sim_flow.c (flows between the
 * institutions), sim_case.c (criminal cases) and sim_correct.c
 * (corrections, withdrawals), and the files sim_write.c, sharing the
 * private sim.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "log.h"
#include "sim.h"

/* ------------------------------------------------------------------ */
/* The command. */

/* make_dirs - mkdir -p dir (mode 0755). Returns 0 or -errno. */
static int
make_dirs(const char *dir)
{
	char path[PATH_MAX];
	size_t i, len = strlen(dir);

	if (len == 0 || len >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return -errno;
		path[i] = i < len ? '/' : '\0';
	}
	return 0;
}

/* usage - prints the synopsis on stderr. */
static void
usage(void)
{
	fprintf(stderr, "usage: kuska sim --out DIR [--victims N] "
			"[--seed S] [--truth FILE]\n");
}

/*
 * opt_value - the value of option name at argv[*i], given as "--name=V"
 * or "--name V" (then *i moves past V); NULL if argv[*i] is not name.
 */
static const char *
opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t len = strlen(name);

	if (strncmp(argv[*i], name, len) != 0)
		return NULL;
	if (argv[*i][len] == '=')
		return argv[*i] + len + 1;
	if (argv[*i][len] != '\0' || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

/* parse_u64 - a whole decimal number in 0..max. Returns 0 or -EINVAL. */
static int
parse_u64(const char *s, uint64_t max, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

int
cmd_sim(int argc, char **argv)
{
	const char *dir = NULL, *truth = NULL, *val;
	uint64_t victims = SIM_DEFAULT_VICTIMS, seed = 1;
	size_t total = 0;
	struct sim s;
	int i, k, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			usage();
			return 0;
		}
		if ((val = opt_value(argc, argv, &i, "--out")) != NULL) {
			dir = val;
		} else if ((val = opt_value(argc, argv, &i, "--victims")) !=
			   NULL) {
			if (parse_u64(val, SIM_MAX_VICTIMS, &victims) < 0 ||
			    victims == 0) {
				fprintf(stderr,
					"kuska sim: --victims: a whole "
					"number from 1 to %d\n",
					SIM_MAX_VICTIMS);
				return 2;
			}
		} else if ((val = opt_value(argc, argv, &i, "--truth")) !=
			   NULL) {
			truth = val;
		} else if ((val = opt_value(argc, argv, &i, "--seed")) !=
			   NULL) {
			if (parse_u64(val, UINT64_MAX, &seed) < 0) {
				fprintf(stderr, "kuska sim: --seed: a whole "
						"number\n");
				return 2;
			}
		} else {
			usage();
			return 2;
		}
	}
	if (dir == NULL || *dir == '\0') {
		usage();
		return 2;
	}
	if ((rc = make_dirs(dir)) < 0) {
		errno = -rc;
		log_warn("sim: %s", dir);
		return 1;
	}
	if (sim_run(&s, (size_t)victims, seed) < 0) {
		log_warnx("sim: out of memory");
		sim_free(&s);
		return 1;
	}
	for (k = INST_PNP; k <= INST_MINSA; k++) {
		if (write_file(&s, (enum institution)k, dir) < 0) {
			sim_free(&s);
			return 1;
		}
		total += s.files[k].n;
	}
	if (truth != NULL && write_truth(&s, truth) < 0) {
		sim_free(&s);
		return 1;
	}
	printf("sim: %llu victims, seed %llu: %s/{pnp,mp,pj,mimp,minsa}.jsonl "
	       "with pnp %zu, mp %zu, pj %zu, mimp %zu, minsa %zu records "
	       "(%zu in all)\n",
	       (unsigned long long)victims, (unsigned long long)seed, dir,
	       s.files[INST_PNP].n, s.files[INST_MP].n, s.files[INST_PJ].n,
	       s.files[INST_MIMP].n, s.files[INST_MINSA].n, total);
	sim_free(&s);
	return 0;
}
