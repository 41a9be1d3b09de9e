/** The SDK's `database.SqlData`: the `sql` block of a subsegment. */
export class SqlData {
  database_version?: string;
  driver_version?: string;
  preparation?: string;
  url?: string;
  user?: string;
  sanitized_query?: string;
  database_type?: string;

  constructor(databaseVer?: string, driverVer?: string, user?: string, url?: string, queryType?: string) {
    if (databaseVer) this.database_version = databaseVer;
    if (driverVer) this.driver_version = driverVer;
    if (queryType) this.preparation = queryType;
    this.url = url;
    this.user = user;
  }
}
