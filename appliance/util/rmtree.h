/* rmtree.h - remove a directory and everything under it (a run's scratch). */
#ifndef LT_RMTREE_H
#define LT_RMTREE_H

/* 0, or -1 with errno set; a path that does not exist is not an error. */
int lt_rmtree(const char *path);

#endif
