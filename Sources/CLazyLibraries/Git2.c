// libgit2 on first use: every libgit2 function GitML calls (Sources/GitRepo), each forwarding to
// the function of the same name in `libgit2.so.<LIBGIT2_SOVERSION>` (the release these headers
// are), opened with dlopen on the first call (include/LazyLibraries.h). The definitions must
// match git2.h's declarations, which the compiler checks; scripts/lazy-link.sh refuses a release
// that still calls a libgit2 function missing here.
#include <git2.h>
#include "LazyLibraries.h"
#include "LazyLibrary.h"

// X(return type, name, parameters, arguments) for each function with a result; V(name,
// parameters, arguments) for those without.
#define GITML_GIT2_FUNCTIONS(X) \
    X(int, git_blob_create_from_buffer, (git_oid *id, git_repository *repo, const void *buffer, size_t len), (id, repo, buffer, len)) \
    X(const void *, git_blob_rawcontent, (const git_blob *blob), (blob)) \
    X(git_object_size_t, git_blob_rawsize, (const git_blob *blob), (blob)) \
    X(int, git_commit_create, (git_oid *id, git_repository *repo, const char *update_ref, const git_signature *author, const git_signature *committer, const char *message_encoding, const char *message, const git_tree *tree, size_t parent_count, const git_commit *parents[]), (id, repo, update_ref, author, committer, message_encoding, message, tree, parent_count, parents)) \
    X(const char *, git_commit_message, (const git_commit *commit), (commit)) \
    X(const git_oid *, git_commit_parent_id, (const git_commit *commit, unsigned int n), (commit, n)) \
    X(unsigned int, git_commit_parentcount, (const git_commit *commit), (commit)) \
    X(git_time_t, git_commit_time, (const git_commit *commit), (commit)) \
    X(const git_oid *, git_commit_tree_id, (const git_commit *commit), (commit)) \
    X(int, git_config_delete_multivar, (git_config *cfg, const char *name, const char *regexp), (cfg, name, regexp)) \
    X(int, git_config_get_string, (const char **out, const git_config *cfg, const char *name), (out, cfg, name)) \
    X(int, git_config_multivar_iterator_new, (git_config_iterator **out, const git_config *cfg, const char *name, const char *regexp), (out, cfg, name, regexp)) \
    X(int, git_config_next, (git_config_entry **entry, git_config_iterator *iter), (entry, iter)) \
    X(int, git_config_set_multivar, (git_config *cfg, const char *name, const char *regexp, const char *value), (cfg, name, regexp, value)) \
    X(int, git_config_set_string, (git_config *cfg, const char *name, const char *value), (cfg, name, value)) \
    X(const git_error *, git_error_last, (void), ()) \
    X(int, git_libgit2_init, (void), ()) \
    X(int, git_libgit2_version, (int *major, int *minor, int *rev), (major, minor, rev)) \
    X(int, git_object_lookup, (git_object **object, git_repository *repo, const git_oid *id, git_object_t type), (object, repo, id, type)) \
    X(git_object_t, git_object_string2type, (const char *str), (str)) \
    X(git_object_t, git_object_type, (const git_object *obj), (obj)) \
    X(int, git_odb_add_disk_alternate, (git_odb *odb, const char *path), (odb, path)) \
    X(int, git_odb_exists, (git_odb *db, const git_oid *id), (db, id)) \
    X(int, git_odb_exists_prefix, (git_oid *out, git_odb *db, const git_oid *short_id, size_t len), (out, db, short_id, len)) \
    X(int, git_odb_hash, (git_oid *out, const void *data, size_t len, git_object_t type), (out, data, len, type)) \
    X(int, git_oid_fromstr, (git_oid *out, const char *str), (out, str)) \
    X(int, git_oid_fromstrn, (git_oid *out, const char *str, size_t length), (out, str, length)) \
    X(char *, git_oid_tostr, (char *out, size_t n, const git_oid *id), (out, n, id)) \
    X(int, git_reference_create_matching, (git_reference **out, git_repository *repo, const char *name, const git_oid *id, int force, const git_oid *current_id, const char *log_message), (out, repo, name, id, force, current_id, log_message)) \
    X(int, git_reference_delete, (git_reference *ref), (ref)) \
    X(int, git_reference_dwim, (git_reference **out, git_repository *repo, const char *shorthand), (out, repo, shorthand)) \
    X(int, git_reference_iterator_glob_new, (git_reference_iterator **out, git_repository *repo, const char *glob), (out, repo, glob)) \
    X(int, git_reference_lookup, (git_reference **out, git_repository *repo, const char *name), (out, repo, name)) \
    X(const char *, git_reference_name, (const git_reference *ref), (ref)) \
    X(int, git_reference_name_to_id, (git_oid *out, git_repository *repo, const char *name), (out, repo, name)) \
    X(int, git_reference_next, (git_reference **out, git_reference_iterator *iter), (out, iter)) \
    X(int, git_reference_resolve, (git_reference **out, const git_reference *ref), (out, ref)) \
    X(const git_oid *, git_reference_target, (const git_reference *ref), (ref)) \
    X(const git_reflog_entry *, git_reflog_entry_byindex, (const git_reflog *reflog, size_t idx), (reflog, idx)) \
    X(const git_oid *, git_reflog_entry_id_new, (const git_reflog_entry *entry), (entry)) \
    X(size_t, git_reflog_entrycount, (git_reflog *reflog), (reflog)) \
    X(int, git_reflog_read, (git_reflog **out, git_repository *repo, const char *name), (out, repo, name)) \
    X(int, git_remote_list, (git_strarray *out, git_repository *repo), (out, repo)) \
    X(const char *, git_repository_commondir, (const git_repository *repo), (repo)) \
    X(int, git_repository_config, (git_config **out, git_repository *repo), (out, repo)) \
    X(int, git_repository_config_snapshot, (git_config **out, git_repository *repo), (out, repo)) \
    X(int, git_repository_discover, (git_buf *out, const char *start_path, int across_fs, const char *ceiling_dirs), (out, start_path, across_fs, ceiling_dirs)) \
    X(int, git_repository_odb, (git_odb **out, git_repository *repo), (out, repo)) \
    X(int, git_repository_open, (git_repository **out, const char *path), (out, path)) \
    X(int, git_repository_open_from_worktree, (git_repository **out, git_worktree *wt), (out, wt)) \
    X(const char *, git_repository_path, (const git_repository *repo), (repo)) \
    X(const char *, git_repository_workdir, (const git_repository *repo), (repo)) \
    X(int, git_signature_new, (git_signature **out, const char *name, const char *email, git_time_t time, int offset), (out, name, email, time, offset)) \
    X(const git_oid *, git_tag_target_id, (const git_tag *tag), (tag)) \
    X(const git_tree_entry *, git_tree_entry_byindex, (const git_tree *tree, size_t idx), (tree, idx)) \
    X(const git_tree_entry *, git_tree_entry_byname, (const git_tree *tree, const char *filename), (tree, filename)) \
    X(const git_oid *, git_tree_entry_id, (const git_tree_entry *entry), (entry)) \
    X(const char *, git_tree_entry_name, (const git_tree_entry *entry), (entry)) \
    X(git_object_t, git_tree_entry_type, (const git_tree_entry *entry), (entry)) \
    X(size_t, git_tree_entrycount, (const git_tree *tree), (tree)) \
    X(const git_oid *, git_tree_id, (const git_tree *tree), (tree)) \
    X(int, git_treebuilder_insert, (const git_tree_entry **out, git_treebuilder *bld, const char *filename, const git_oid *id, git_filemode_t filemode), (out, bld, filename, id, filemode)) \
    X(int, git_treebuilder_new, (git_treebuilder **out, git_repository *repo, const git_tree *source), (out, repo, source)) \
    X(int, git_treebuilder_remove, (git_treebuilder *bld, const char *filename), (bld, filename)) \
    X(int, git_treebuilder_write, (git_oid *id, git_treebuilder *bld), (id, bld)) \
    X(int, git_worktree_list, (git_strarray *out, git_repository *repo), (out, repo)) \
    X(int, git_worktree_lookup, (git_worktree **out, git_repository *repo, const char *name), (out, repo, name))
#define GITML_GIT2_PROCEDURES(V) \
    V(git_blob_free, (git_blob *blob), (blob)) \
    V(git_buf_dispose, (git_buf *buffer), (buffer)) \
    V(git_commit_free, (git_commit *commit), (commit)) \
    V(git_config_free, (git_config *cfg), (cfg)) \
    V(git_config_iterator_free, (git_config_iterator *iter), (iter)) \
    V(git_object_free, (git_object *object), (object)) \
    V(git_odb_free, (git_odb *db), (db)) \
    V(git_reference_free, (git_reference *ref), (ref)) \
    V(git_reference_iterator_free, (git_reference_iterator *iter), (iter)) \
    V(git_reflog_free, (git_reflog *reflog), (reflog)) \
    V(git_repository_free, (git_repository *repo), (repo)) \
    V(git_signature_free, (git_signature *sig), (sig)) \
    V(git_strarray_dispose, (git_strarray *array), (array)) \
    V(git_tree_free, (git_tree *tree), (tree)) \
    V(git_treebuilder_free, (git_treebuilder *bld), (bld)) \
    V(git_worktree_free, (git_worktree *wt), (wt))

enum { GITML_GIT2_FUNCTIONS(GITML_LAZY_INDEX) GITML_GIT2_PROCEDURES(GITML_LAZY_INDEX_V) gitml_git2_count };
static const char *const names[] = { GITML_GIT2_FUNCTIONS(GITML_LAZY_NAME) GITML_GIT2_PROCEDURES(GITML_LAZY_NAME_V) };
static void *functions[gitml_git2_count];
static struct gitml_lazy_library libgit2 = GITML_LAZY_LIBRARY("libgit2.so." LIBGIT2_SOVERSION, "GITML_GIT2_LIBRARY",
    "reading the git repository needs libgit2 " LIBGIT2_SOVERSION,
    "install it (Debian 12: apt-get install libgit2-" LIBGIT2_SOVERSION ")", names, functions);

const char *gitml_git2_load_problem(void) { return gitml_lazy_load_problem(&libgit2); }

#define GITML_FORWARD(type, name, parameters, arguments) GITML_LAZY_FORWARD(libgit2, type, name, parameters, arguments)
GITML_GIT2_FUNCTIONS(GITML_FORWARD)
#define GITML_FORWARD_V(name, parameters, arguments) GITML_LAZY_FORWARD_V(libgit2, name, parameters, arguments)
GITML_GIT2_PROCEDURES(GITML_FORWARD_V)
