import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

/** dayjs with the utc and timezone plugins: import it from here so `.tz()` is always available. */
dayjs.extend(utc);
dayjs.extend(timezone);

export default dayjs;
