// Loaded before every test file. Pin the process time zone to UTC so that nothing passes by accident
// on a Shanghai machine; code under test must use CRM_TIMEZONE explicitly.
process.env.TZ = 'UTC';
