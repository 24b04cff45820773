/*
 * Writes the hand-built reports of report_sample.c into DIR for
 * report_parse.sh to parse back: text.txt, junit.xml and report.html of
 * the pass, fail, hostile and error samples, big.html of the 100k
 * transitions one.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "scenarios/run.h"
#include "tests/unit/report_sample.h"

#define NSAMPLES 4

static FILE *
write_open(const char *dir, const char *name)
{
	char	 path[4096];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	return f;
}

static void
write_close(FILE *f, int rc, const char *name)
{
	if (rc == -1 || fclose(f) == EOF) {
		perror(name);
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	struct report_sample	 s[NSAMPLES + 1];
	const struct report	*r[NSAMPLES + 1];
	FILE			*f;
	int			 i;

	if (argc != 2) {
		fprintf(stderr, "usage: test_report_write DIR\n");
		return 2;
	}
	for (i = 0; i <= NSAMPLES; i++) {
		report_sample_init(&s[i], (enum report_sample_kind)i);
		r[i] = &s[i].r;
	}
	f = write_open(argv[1], "text.txt");
	for (i = 0; i < NSAMPLES; i++)
		report_text(f, r[i], 1);
	write_close(f, 0, "text.txt");
	f = write_open(argv[1], "junit.xml");
	write_close(f, report_junit(f, r, NSAMPLES), "junit.xml");
	f = write_open(argv[1], "report.html");
	write_close(f, report_html(f, r, NSAMPLES), "report.html");
	f = write_open(argv[1], "big.html");
	write_close(f, report_html(f, &r[NSAMPLES], 1), "big.html");
	for (i = 0; i <= NSAMPLES; i++)
		report_sample_free(&s[i]);
	return 0;
}
