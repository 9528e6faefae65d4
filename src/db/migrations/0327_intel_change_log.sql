-- Topic `intel` of the change log (0080): what a TAXII page shows can
-- change only through these tables, the objects themselves (their sharing
-- is stored on each row) and sharing groups and their membership (read by
-- intel_can_see through org_sharing_groups). Statement triggers: an import
-- writes thousands of rows in a few statements. A statement that changes
-- no row is still logged; it only makes kept pages be read once more.
CREATE TRIGGER stix_objects_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON stix_objects
  FOR EACH STATEMENT EXECUTE FUNCTION change_log_write('intel');
CREATE TRIGGER sharing_group_members_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sharing_group_members
  FOR EACH STATEMENT EXECUTE FUNCTION change_log_write('intel');
CREATE TRIGGER sharing_groups_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sharing_groups
  FOR EACH STATEMENT EXECUTE FUNCTION change_log_write('intel');
