/**
 * The inotify publisher ({@link io.hostql.publishers.inotify.InotifyPublisher}): osquery's file_events
 * source, bound to libc with JNA direct mapping ({@code io.hostql.os.Libc}).
 *
 * <p>Configuration follows osquery's {@code file_paths} rules ({@code FilePattern}): {@code %} one level,
 * {@code %%} recursive (last component only), {@code abc%}/{@code %abc} partial names, a trailing '/' for a
 * directory's contents, absolute paths only. A fully literal path selects that file and, when it is a
 * directory, its direct children. Directories are watched, never files, so an editor replacing a file
 * (write to a temporary name, rename over) is seen as the rename it is.
 *
 * <p>Where hostql goes beyond osquery:
 * <ul>
 *   <li>{@code exclude_paths} ({@code ExcludeSet}, all categories merged, whole-component {@code %}/{@code %%})
 *       exclude the matching path and everything below it: those directories never get a watch;</li>
 *   <li>a directory created in, or moved into, a recursive tree is watched at once, with everything inside
 *       it, and what it already holds is reported as {@code SYNTHETIC} IN_CREATE events, once per file and
 *       category: a file created while the new directory was being scanned is not reported again by the
 *       kernel's own IN_CREATE;</li>
 *   <li>a configured path that does not exist yet (or is deleted or moved away later) is waited for with a
 *       watch on its nearest existing ancestor (creations and moves only), and wildcard levels
 *       ({@code /home/%/.ssh/%%}) are watched so new matches are picked up;</li>
 *   <li>IN_Q_OVERFLOW becomes a {@code LossEvent} and a rescan that re-places every watch and reports every
 *       selected file as {@code SYNTHETIC};</li>
 *   <li>ENOSPC (out of watches) is one ERROR naming the path and {@code fs.inotify.max_user_watches}, one
 *       {@code LossEvent} per placement pass, and the watches that succeeded keep working.</li>
 * </ul>
 *
 * <p>Known limits: renaming an unwatched ancestor of a watched directory (e.g. the parent of a configured
 * root) is not seen, so the watches keep reporting the old paths until the next reconfigure or overflow
 * rescan; changes made through a hard link in another directory are not seen (inotify reports them to
 * the other directory only).
 */
package io.hostql.publishers.inotify;
