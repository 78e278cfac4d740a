/* profile_list.c — sbx_profile_list(): every profile of the search path
 * (profile_path.c), with the description each file gives and whether an
 * earlier directory shadows it.  Reads each file's [profile] description
 * with the profile language itself (profile.c, profile_keys.c); changes
 * nothing. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "profile/profile.h"

int profile_file_description(const char *path, char **ret)
{
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        struct ini_file f;
        int r;

        *ret = NULL;
        if ((r = profile_read_file(path, &text, &len)) < 0)
                return r;
        if ((r = profile_parse(text, len, path, &f, NULL)) < 0)
                return r;
        struct sbx_policy scratch;
        r = policy_init(&scratch);
        const struct key_def *k = profile_key_find("profile", "description");
        for (size_t i = 0; r >= 0 && i < f.n; i++)
                if (strcmp(f.v[i].section, "profile") == 0 && strcmp(f.v[i].key, "description") == 0)
                        r = profile_apply(&scratch, k, f.v[i].value, (struct sbx_loc){ NULL, f.v[i].line },
                                          NULL, NULL);
        if (r >= 0 && scratch.description)
                *ret = TAKE_PTR(scratch.description);
        policy_done(&scratch);
        profile_parse_done(&f);
        return r;
}

static int ini_filter(const struct dirent *de)
{
        size_t n = strlen(de->d_name);
        if (n <= 4 || strcmp(de->d_name + n - 4, ".ini") != 0)
                return 0;
        char name[NAME_MAX + 1];
        snprintf(name, sizeof(name), "%.*s", (int)(n - 4), de->d_name);
        return profile_name_valid(name);
}

SBX_EXPORT int sbx_profile_list(int (*cb)(const struct sbx_profile_info *info, void *userdata),
                                void *userdata)
{
        char **dirs = NULL, **seen = NULL;
        size_t nseen = 0;
        int r;

        if (!cb)
                return -EINVAL;
        if ((r = profile_search_dirs(&dirs)) < 0)
                return r;
        for (char **d = dirs; *d && r >= 0; d++) {
                struct dirent **ents = NULL;
                int n = scandir(*d, &ents, ini_filter, alphasort);
                if (n < 0)
                        continue; /* a directory that does not exist holds no profiles */
                for (int i = 0; i < n; i++) {
                        _cleanup_free_ char *path = NULL, *name = NULL, *description = NULL;
                        if (r < 0)
                                goto next;
                        size_t len = strlen(ents[i]->d_name);
                        if (asprintf(&path, "%s/%s", *d, ents[i]->d_name) < 0 ||
                            !(name = strndup(ents[i]->d_name, len - 4))) {
                                r = -ENOMEM;
                                goto next;
                        }
                        if (!profile_regular_file(path))
                                goto next;
                        if (profile_file_description(path, &description) == -ENOMEM) {
                                r = -ENOMEM;
                                goto next;
                        }
                        bool shadowed = false;
                        for (size_t j = 0; j < nseen && !shadowed; j++)
                                shadowed = strcmp(seen[j], name) == 0;
                        if (!shadowed) {
                                char **nv = reallocarray(seen, nseen + 1, sizeof(char *));
                                if (!nv) {
                                        r = -ENOMEM;
                                        goto next;
                                }
                                seen = nv;
                                seen[nseen++] = TAKE_PTR(name);
                        }
                        struct sbx_profile_info info = {
                                .name = name ? name : seen[nseen - 1],
                                .description = description ? description : "",
                                .path = path,
                                .shadowed = shadowed,
                        };
                        r = cb(&info, userdata);
                next:
                        free(ents[i]);
                }
                free(ents);
        }
        for (size_t j = 0; j < nseen; j++)
                free(seen[j]);
        free(seen);
        sbx_strv_free(dirs);
        return r < 0 ? r : 0;
}
