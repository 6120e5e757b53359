SELECT
  name AS name, version AS version, '' AS extension_id, '' AS extension_for, 'deb_packages' AS source,
  '' AS release, '' AS vendor, '' AS arch, '' AS installed_path
FROM deb_packages
WHERE status LIKE '% ok installed'
UNION
SELECT
  package AS name, version AS version, '' AS extension_id, '' AS extension_for, 'portage_packages' AS source,
  '' AS release, '' AS vendor, '' AS arch, '' AS installed_path
FROM portage_packages
UNION
SELECT
  name AS name, version AS version, '' AS extension_id, '' AS extension_for, 'rpm_packages' AS source,
  release AS release, vendor AS vendor, arch AS arch, '' AS installed_path
FROM rpm_packages
UNION
SELECT
  name AS name, version AS version, '' AS extension_id, '' AS extension_for, 'npm_packages' AS source,
  '' AS release, '' AS vendor, '' AS arch, path AS installed_path
FROM npm_packages
UNION
SELECT
  name AS name, version AS version, identifier AS extension_id, browser_type AS extension_for,
  'chrome_extensions' AS source, '' AS release, '' AS vendor, '' AS arch, path AS installed_path
FROM cached_users CROSS JOIN chrome_extensions USING (uid)
UNION
SELECT
  name AS name, version AS version, identifier AS extension_id, 'firefox' AS extension_for,
  'firefox_addons' AS source, '' AS release, '' AS vendor, '' AS arch, path AS installed_path
FROM cached_users CROSS JOIN firefox_addons USING (uid);
