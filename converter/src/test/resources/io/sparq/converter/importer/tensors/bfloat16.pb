*€€€B
t_bfloat16