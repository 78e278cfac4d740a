/* policy.c — being written. */
