/** Personal data of customers (issue 19): export one customer, erase one, and the tombstone sync consults. */
export { type Lookup, lookUpCustomer, isErasedRow } from './customer-lookup';
export { type CustomerExport, exportCounts, exportCustomer, type TimelineLine, type TimelineSource } from './customer-export.service';
export { type ErasureCounts, type ErasureResult, eraseCustomer } from './customer-erasure.service';
export { erasedAmong, isErasedCustomer, liftErasure } from './erasure-tombstone';
export { ambiguousText, erasedCustomerText, erasureCountsText, exportSummary, unknownCustomerText } from './personal-data.texts';
export { PersonalDataService, type PersonalDataPorts } from './personal-data.service';
export { personalDataRoutes } from './personal-data.routes';
export { ERASED_NAME } from './customer-lookup';
